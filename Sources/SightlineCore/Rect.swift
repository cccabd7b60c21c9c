/// An axis-aligned rectangle in pixel coordinates (origin top-left, y down).
public struct Rect: Sendable, Hashable, Codable, CustomStringConvertible {
    public var x: Float
    public var y: Float
    public var width: Float
    public var height: Float

    public init(x: Float, y: Float, width: Float, height: Float) { (self.x, self.y, self.width, self.height) = (x, y, width, height) }

    public var maxX: Float { x + width }
    public var maxY: Float { y + height }
    public var area: Float { max(0, width) * max(0, height) }

    /// Intersection over union with `other` (0 when either is empty).
    public func iou(_ other: Rect) -> Float {
        let ix = max(0, min(maxX, other.maxX) - max(x, other.x))
        let iy = max(0, min(maxY, other.maxY) - max(y, other.y))
        let inter = ix * iy
        let union = area + other.area - inter
        return union > 0 ? inter / union : 0
    }

    /// The part of this rectangle inside `0..<width` x `0..<height`.
    public func clamped(width w: Float, height h: Float) -> Rect {
        let x0 = min(max(x, 0), w), y0 = min(max(y, 0), h)
        let x1 = min(max(maxX, 0), w), y1 = min(max(maxY, 0), h)
        return Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    public var description: String { "(\(x), \(y), \(width)x\(height))" }
}
