#include "sl_dnn.h"

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include <cstdio>
#include <string>
#include <vector>

struct sl_dnn_net {
    cv::dnn::Net net;
    std::vector<std::string> output_names;
    std::vector<cv::Mat> outputs;
};

static void write_error(char *err, size_t len, const std::string &message) {
    if (err == nullptr || len == 0) return;
    std::snprintf(err, len, "%s", message.c_str());
}

static sl_dnn_net *finish_load(cv::dnn::Net &&net, char *err, size_t err_len) {
    if (net.empty()) {
        write_error(err, err_len, "the network is empty after loading");
        return nullptr;
    }
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    auto *result = new sl_dnn_net();
    result->net = std::move(net);
    result->output_names = result->net.getUnconnectedOutLayersNames();
    return result;
}

// Runs `load` with every exception turned into a message in `err` and a NULL result.
template <typename Load>
static sl_dnn_net *guarded_load(char *err, size_t err_len, const char *what, Load load) {
    try {
        return finish_load(load(), err, err_len);
    } catch (const cv::Exception &e) {
        write_error(err, err_len, e.msg);
    } catch (const std::exception &e) {
        write_error(err, err_len, e.what());
    } catch (...) {
        write_error(err, err_len, std::string("unknown C++ exception while loading ") + what);
    }
    return nullptr;
}

extern "C" sl_dnn_net *sl_dnn_load_darknet_buffers(const char *cfg, size_t cfg_len, const void *weights,
                                                   size_t weights_len, char *err, size_t err_len) {
    return guarded_load(err, err_len, "a Darknet network", [&] {
        return cv::dnn::readNetFromDarknet(cfg, cfg_len, static_cast<const char *>(weights), weights_len);
    });
}

extern "C" sl_dnn_net *sl_dnn_load_onnx(const char *onnx_path, char *err, size_t err_len) {
    return guarded_load(err, err_len, "an ONNX network", [&] { return cv::dnn::readNetFromONNX(onnx_path); });
}

extern "C" void sl_dnn_free(sl_dnn_net *net) { delete net; }

extern "C" void sl_dnn_set_threads(int threads) { cv::setNumThreads(threads); }

extern "C" int sl_dnn_get_threads(void) { return cv::getNumThreads(); }

extern "C" int sl_dnn_forward(sl_dnn_net *net, const float *input, int n, int c, int h, int w, char *err, size_t err_len) {
    try {
        int sizes[4] = {n, c, h, w};
        // Wraps the caller's memory without copying; OpenCV copies it into the input layer.
        cv::Mat blob(4, sizes, CV_32F, const_cast<float *>(input));
        net->net.setInput(blob);
        net->outputs.clear();
        net->net.forward(net->outputs, net->output_names);
        for (auto &m : net->outputs) {
            if (!m.isContinuous()) m = m.clone();
        }
        return static_cast<int>(net->outputs.size());
    } catch (const cv::Exception &e) {
        write_error(err, err_len, e.msg);
    } catch (const std::exception &e) {
        write_error(err, err_len, e.what());
    } catch (...) {
        write_error(err, err_len, "unknown C++ exception in forward");
    }
    return -1;
}

extern "C" int sl_dnn_output_shape(const sl_dnn_net *net, int index, int *dims, int max_dims) {
    if (index < 0 || index >= static_cast<int>(net->outputs.size())) return -1;
    const cv::Mat &m = net->outputs[index];
    for (int i = 0; i < m.dims && i < max_dims; i++) dims[i] = m.size[i];
    return m.dims;
}

extern "C" const float *sl_dnn_output_data(const sl_dnn_net *net, int index) {
    if (index < 0 || index >= static_cast<int>(net->outputs.size())) return nullptr;
    return reinterpret_cast<const float *>(net->outputs[index].data);
}

extern "C" const char *sl_dnn_output_name(const sl_dnn_net *net, int index) {
    if (index < 0 || index >= static_cast<int>(net->output_names.size())) return nullptr;
    return net->output_names[index].c_str();
}
