import FederationAPI
import Foundation

/// A hybrid logical clock reading (Kulkarni et al., "Logical Physical Clocks", 2014): the
/// highest wall time seen in milliseconds, a counter that orders events within one millisecond,
/// and the datacenter that stamped it.
///
/// Readings are ordered by wall time, then counter, then datacenter name (the greater name is the
/// later write), so two machines' wall clocks are never compared on their own: a reading is always
/// at least every reading its stamper has seen. Carried in the replica annotation
/// `federation.concord.dev/hlc` as `<wall-ms>.<counter>@<datacenter>`.
public struct HLCTimestamp: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The highest physical time seen, in milliseconds since 1970.
    public var wallMilliseconds: Int64
    /// Orders readings that share a wall time.
    public var counter: Int64
    /// The datacenter that stamped this reading; breaks ties.
    public var datacenter: String

    /// Creates a reading.
    public init(wallMilliseconds: Int64, counter: Int64 = 0, datacenter: String) {
        self.wallMilliseconds = wallMilliseconds
        self.counter = counter
        self.datacenter = datacenter
    }

    /// Parses `<wall-ms>.<counter>@<datacenter>`; nil for anything else.
    public init?(annotation: String) {
        // Read as bytes: every replica's reading is parsed on every pass.
        let bytes = annotation.utf8
        var index = bytes.startIndex
        func number(until terminator: UInt8) -> Int64? {
            var value: Int64 = 0, digits = 0
            while index < bytes.endIndex, bytes[index] != terminator {
                let byte = bytes[index]
                guard byte >= 0x30, byte <= 0x39, digits < 18 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
                digits += 1
                index = bytes.index(after: index)
            }
            guard digits > 0, index < bytes.endIndex else { return nil }
            index = bytes.index(after: index)
            return value
        }
        guard let wall = number(until: UInt8(ascii: ".")), let counter = number(until: UInt8(ascii: "@")), index < bytes.endIndex else { return nil }
        self.init(wallMilliseconds: wall, counter: counter, datacenter: String(annotation[index...]))
    }

    /// `<wall-ms>.<counter>@<datacenter>`.
    public var description: String { "\(wallMilliseconds).\(counter)@\(datacenter)" }

    /// Wall time, then counter, then datacenter name.
    public static func < (a: HLCTimestamp, b: HLCTimestamp) -> Bool {
        (a.wallMilliseconds, a.counter, a.datacenter) < (b.wallMilliseconds, b.counter, b.datacenter)
    }

    /// The reading of a local write at `datacenter` after `previous` (nil: none yet), with the
    /// local physical time `now`: later than `previous`, and never behind `now`.
    public static func tick(after previous: HLCTimestamp?, now: Date, at datacenter: String) -> HLCTimestamp {
        let physical = milliseconds(now)
        guard let previous, previous.wallMilliseconds >= physical else {
            return HLCTimestamp(wallMilliseconds: physical, counter: 0, datacenter: datacenter)
        }
        return HLCTimestamp(wallMilliseconds: previous.wallMilliseconds, counter: previous.counter + 1, datacenter: datacenter)
    }

    /// The reading after receiving `received` at `datacenter`, whose own latest reading is `local`
    /// (nil: none), at local physical time `now`: later than both, never behind `now`.
    public static func merge(local: HLCTimestamp?, received: HLCTimestamp, now: Date, at datacenter: String) -> HLCTimestamp {
        let physical = milliseconds(now)
        let localWall = local?.wallMilliseconds ?? Int64.min
        let wall = max(physical, localWall, received.wallMilliseconds)
        let counter: Int64
        if wall == localWall && wall == received.wallMilliseconds {
            counter = max(local?.counter ?? 0, received.counter) + 1
        } else if wall == localWall {
            counter = (local?.counter ?? 0) + 1
        } else if wall == received.wallMilliseconds {
            counter = received.counter + 1
        } else {
            counter = 0
        }
        return HLCTimestamp(wallMilliseconds: wall, counter: counter, datacenter: datacenter)
    }

    /// Milliseconds since 1970 of `date`, to the nearest (a Double holds no exact decimal fraction).
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}

extension HLCTimestamp {
    /// The latest reading among the `hlc` annotations of `objects`; nil when none holds one. Every
    /// replica is read on every pass, so only readings not behind the latest so far are parsed whole.
    static func latest(in objects: some Sequence<JSONValue>) -> HLCTimestamp? {
        var latest = Latest()
        for object in objects { latest.add(object["metadata"]?["annotations"]?[FederationAnnotation.hybridLogicalClock]) }
        return latest.reading
    }

    /// The latest of the readings added so far: only readings not behind it are parsed whole.
    struct Latest {
        /// The latest reading; nil while none was added.
        private(set) var reading: HLCTimestamp?

        /// Adds an `hlc` annotation value; anything but a reading is ignored.
        mutating func add(_ annotation: JSONValue?) {
            guard case .string(let text)? = annotation, let order = order(of: text) else { return }
            if let reading, order < (reading.wallMilliseconds, reading.counter) { return }
            add(HLCTimestamp(annotation: text))
        }

        /// Adds a reading (nil: none).
        mutating func add(_ candidate: HLCTimestamp?) {
            if let candidate, reading.map({ $0 < candidate }) ?? true { reading = candidate }
        }
    }

    /// The wall time and counter of `<wall-ms>.<counter>@<datacenter>`, without reading the datacenter.
    static func order(of text: String) -> (Int64, Int64)? {
        var wall: Int64 = 0, counter: Int64 = 0, digits = 0, inCounter = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard digits < 18 else { return nil }
                if inCounter { counter = counter * 10 + Int64(byte - 0x30) } else { wall = wall * 10 + Int64(byte - 0x30) }
                digits += 1
            case UInt8(ascii: "."):
                guard !inCounter, digits > 0 else { return nil }
                inCounter = true
                digits = 0
            case UInt8(ascii: "@"):
                guard inCounter, digits > 0 else { return nil }
                return (wall, counter)
            default:
                return nil
            }
        }
        return nil
    }
}
