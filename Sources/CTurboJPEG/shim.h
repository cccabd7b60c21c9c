#ifndef SIGHTLINE_CTURBOJPEG_SHIM_H
#define SIGHTLINE_CTURBOJPEG_SHIM_H
// The C boundary to libjpeg-turbo's TurboJPEG 2.x API (Debian 12: libturbojpeg0-dev 2.1.5).
// Only the tj* API exists in this version; tj3* does not.
#include <turbojpeg.h>

// Flags are macros, which Swift imports only when they are simple literals; re-export them
// as constants so the Swift side never spells a magic number.
static const int sl_TJFLAG_FASTUPSAMPLE = TJFLAG_FASTUPSAMPLE;
static const int sl_TJFLAG_FASTDCT = TJFLAG_FASTDCT;
static const int sl_TJFLAG_ACCURATEDCT = TJFLAG_ACCURATEDCT;
static const int sl_TJFLAG_STOPONWARNING = TJFLAG_STOPONWARNING;
static const int sl_TJFLAG_NOREALLOC = TJFLAG_NOREALLOC;
static const int sl_TJFLAG_PROGRESSIVE = TJFLAG_PROGRESSIVE;
static const int sl_TJFLAG_LIMITSCANS = TJFLAG_LIMITSCANS;

#endif
