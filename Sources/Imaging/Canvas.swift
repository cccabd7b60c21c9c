public import SightlineCore

/// Draws boxes and text onto an 8-bit RGB image in place: enough for an annotated detection
/// image or a heads-up overlay that a person can open and read.
///
/// Text uses a built-in 5x7 bitmap font (upper-case letters, digits, common punctuation;
/// lower case is drawn as upper case), scaled by an integer factor.
public struct Canvas {
    public let pixels: UnsafeMutablePointer<UInt8>
    public let width: Int
    public let height: Int
    public let stride: Int

    public init(pixels: UnsafeMutablePointer<UInt8>, width: Int, height: Int, stride: Int) {
        self.pixels = pixels
        self.width = width
        self.height = height
        self.stride = stride
    }

    public typealias Color = (r: UInt8, g: UInt8, b: UInt8)

    @inline(__always)
    func put(_ x: Int, _ y: Int, _ c: Color) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let p = pixels + y * stride + x * 3
        p[0] = c.r
        p[1] = c.g
        p[2] = c.b
    }

    /// Fills the rectangle (clipped to the image).
    public func fill(x: Int, y: Int, width w: Int, height h: Int, color: Color) {
        let x0 = max(0, x), y0 = max(0, y), x1 = min(width, x + w), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 { for xx in x0..<x1 { put(xx, yy, color) } }
    }

    /// Draws the outline of `rect` with lines `thickness` pixels wide, inside the rectangle.
    public func stroke(_ rect: Rect, thickness: Int = 2, color: Color) {
        let x = Int(rect.x.rounded()), y = Int(rect.y.rounded())
        let w = max(1, Int(rect.width.rounded())), h = max(1, Int(rect.height.rounded()))
        let t = max(1, min(thickness, min(w, h)))
        fill(x: x, y: y, width: w, height: t, color: color)
        fill(x: x, y: y + h - t, width: w, height: t, color: color)
        fill(x: x, y: y, width: t, height: h, color: color)
        fill(x: x + w - t, y: y, width: t, height: h, color: color)
    }

    /// Size in pixels `text` takes at `scale`.
    public static func textSize(_ text: String, scale: Int) -> (width: Int, height: Int) {
        (max(0, text.count * 6 - 1) * scale, 7 * scale)
    }

    /// Draws `text` with its top-left corner at (x, y); with `background`, on a filled box with
    /// a margin of `scale` pixels.
    public func text(_ text: String, x: Int, y: Int, scale: Int = 2, color: Color, background: Color? = nil) {
        let s = max(1, scale)
        if let background {
            let size = Canvas.textSize(text, scale: s)
            fill(x: x - s, y: y - s, width: size.width + 2 * s, height: size.height + 2 * s, color: background)
        }
        var cx = x
        for ch in text.uppercased() {
            let rows = Canvas.glyph(ch)
            for (ry, bits) in rows.enumerated() {
                for rx in 0..<5 where bits & (0x10 >> rx) != 0 {
                    fill(x: cx + rx * s, y: y + ry * s, width: s, height: s, color: color)
                }
            }
            cx += 6 * s
        }
    }

    /// Rows of a 5x7 glyph, most significant of the 5 bits leftmost. Unknown characters draw
    /// as a hollow box.
    static func glyph(_ c: Character) -> [UInt8] {
        switch c {
        case "A": return [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11]
        case "B": return [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E]
        case "C": return [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E]
        case "D": return [0x1E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1E]
        case "E": return [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F]
        case "F": return [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10]
        case "G": return [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F]
        case "H": return [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11]
        case "I": return [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E]
        case "J": return [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C]
        case "K": return [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11]
        case "L": return [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F]
        case "M": return [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11]
        case "N": return [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11]
        case "O": return [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E]
        case "P": return [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10]
        case "Q": return [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D]
        case "R": return [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11]
        case "S": return [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E]
        case "T": return [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04]
        case "U": return [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E]
        case "V": return [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04]
        case "W": return [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A]
        case "X": return [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11]
        case "Y": return [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04]
        case "Z": return [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F]
        case "0": return [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E]
        case "1": return [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E]
        case "2": return [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F]
        case "3": return [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E]
        case "4": return [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02]
        case "5": return [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E]
        case "6": return [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E]
        case "7": return [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08]
        case "8": return [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E]
        case "9": return [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C]
        case " ": return [0, 0, 0, 0, 0, 0, 0]
        case ".": return [0, 0, 0, 0, 0, 0x0C, 0x0C]
        case ",": return [0, 0, 0, 0, 0x0C, 0x04, 0x08]
        case ":": return [0, 0x0C, 0x0C, 0, 0x0C, 0x0C, 0]
        case ";": return [0, 0x0C, 0x0C, 0, 0x0C, 0x04, 0x08]
        case "-": return [0, 0, 0, 0x1F, 0, 0, 0]
        case "_": return [0, 0, 0, 0, 0, 0, 0x1F]
        case "+": return [0, 0x04, 0x04, 0x1F, 0x04, 0x04, 0]
        case "=": return [0, 0, 0x1F, 0, 0x1F, 0, 0]
        case "/": return [0, 0x01, 0x02, 0x04, 0x08, 0x10, 0]
        case "%": return [0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03]
        case "(": return [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02]
        case ")": return [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08]
        case "'": return [0x0C, 0x04, 0x08, 0, 0, 0, 0]
        case "!": return [0x04, 0x04, 0x04, 0x04, 0x04, 0, 0x04]
        case "?": return [0x0E, 0x11, 0x01, 0x02, 0x04, 0, 0x04]
        case ">": return [0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08]
        case "<": return [0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02]
        case "#": return [0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A]
        case "*", "×": return [0, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0]
        default: return [0x1F, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1F]
        }
    }
}
