/// What is wrong with `value` as the `name` setting, when it lies outside `range` (nil when it
/// lies inside): `--threads must be between 1 and 64`. Every count, size and duration that comes
/// from outside (the command line, a configuration) is checked with it before it is used.
public func outOfRange<T: Comparable>(_ name: String, _ value: T, _ range: ClosedRange<T>) -> String? {
    range.contains(value) ? nil : "\(name) must be between \(range.lowerBound) and \(range.upperBound)"
}
