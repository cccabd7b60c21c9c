/// One object a detector found: what, how sure, and where in the source frame.
public struct Detection: Sendable, Hashable, Codable {
    /// The model's label for the class (e.g. "dog").
    public var label: String
    /// The class index in the model's label list.
    public var classID: Int
    /// Confidence in [0, 1] (for YOLO: objectness × class probability).
    public var score: Float
    /// The box in source-frame pixels (letterbox undone, clipped to the frame).
    public var box: Rect
    /// The model that found it (its name in `Models/`); nil for boxes that come from elsewhere
    /// (human-made labels).
    public var model: String?

    public init(label: String, classID: Int, score: Float, box: Rect, model: String? = nil) {
        (self.label, self.classID, self.score, self.box, self.model) = (label, classID, score, box, model)
    }
}
