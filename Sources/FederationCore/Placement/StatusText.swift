import Foundation

/// Where the text of an ActiveActive status message goes, piece by piece: counted, written, or
/// compared with the message the last pass wrote, so a pass that changes nothing formats nothing.
protocol TextSink {
    /// Appends UTF-8 bytes.
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>)
    /// True once nothing more written matters (a comparison that found a difference).
    var stopped: Bool { get }
}

extension TextSink {
    var stopped: Bool { false }

    /// Appends a literal.
    mutating func write(_ text: StaticString) {
        text.withUTF8Buffer { write($0) }
    }

    /// Appends a string's UTF-8.
    mutating func write(_ text: String) {
        if text.utf8.withContiguousStorageIfAvailable({ write($0) }) == nil { Array(text.utf8).withUnsafeBufferPointer { write($0) } }
    }

    /// Appends a number's decimal digits, as `String(value)` writes them.
    mutating func write(_ value: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            var rest = value.magnitude
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            if value < 0 {
                start -= 1
                digits[start] = UInt8(ascii: "-")
            }
            write(UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }
}

/// Counts the bytes of a text.
struct TextLength: TextSink {
    private(set) var count = 0

    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) { count += bytes.count }
}

/// Writes a text into a buffer as long as it (counted by ``TextLength`` first).
struct TextWriter: TextSink {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        (buffer.baseAddress! + count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }
}

/// Compares a text with an existing one, byte by byte, without building it.
struct TextMatch: TextSink {
    let existing: UnsafeBufferPointer<UInt8>
    private var offset = 0
    private var equalSoFar = true

    init(_ existing: UnsafeBufferPointer<UInt8>) { self.existing = existing }

    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard equalSoFar else { return }
        guard bytes.count <= existing.count - offset else {
            equalSoFar = false
            return
        }
        if bytes.count > 0, memcmp(existing.baseAddress! + offset, bytes.baseAddress!, bytes.count) != 0 { equalSoFar = false }
        offset += bytes.count
    }

    var stopped: Bool { !equalSoFar }

    /// Whether everything written equals the whole existing text.
    var matches: Bool { equalSoFar && offset == existing.count }
}
