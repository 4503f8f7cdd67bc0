/// Sorts datacenter names exactly as `String`'s `<` orders them, but mostly by comparing integers:
/// an ASCII name's first 16 bytes, big-endian in two words, decide whenever they differ (ASCII
/// byte order is `String`'s order, and a shorter name's zero padding sorts it before its
/// extensions); only names equal in those words are compared as strings. A name with any
/// non-ASCII byte makes the whole sort fall back to `String`'s own comparison.
enum NameOrder {
    /// A name's first 16 bytes, and its position in the list being sorted (the last tie-break,
    /// which keeps equal names in their order: the sort is stable).
    struct Key: Comparable {
        let high: UInt64
        let low: UInt64
        let index: Int

        static func < (a: Key, b: Key) -> Bool {
            a.high != b.high ? a.high < b.high : a.low != b.low ? a.low < b.low : a.index < b.index
        }

        /// Whether this name's first 16 bytes sort before `other`'s (then so does the name).
        func wordsPrecede(_ other: Key) -> Bool { high != other.high ? high < other.high : low < other.low }

        /// Whether the names agree in their first 16 bytes.
        func sameWords(as other: Key) -> Bool { high == other.high && low == other.low }
    }

    /// The key of an all-ASCII name (nil when any byte is not ASCII: then normalization decides
    /// the order, and only `String` knows it).
    static func key(_ name: String, index: Int) -> Key? {
        let words = name.utf8.withContiguousStorageIfAvailable(words(of:)) ?? Array(name.utf8).withUnsafeBufferPointer(words(of:))
        return words.map { Key(high: $0.high, low: $0.low, index: index) }
    }

    private static func words(of bytes: UnsafeBufferPointer<UInt8>) -> (high: UInt64, low: UInt64)? {
        let raw = UnsafeRawBufferPointer(bytes)
        // The first 16 bytes, zero-padded; then every further byte, for the ASCII test only.
        var padded: (UInt64, UInt64) = (0, 0)
        if let start = raw.baseAddress {
            withUnsafeMutableBytes(of: &padded) { $0.baseAddress!.copyMemory(from: start, byteCount: min(16, raw.count)) }
        }
        var seen = padded.0 | padded.1, i = 16
        while i + 8 <= raw.count {
            seen |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < raw.count {
            seen |= UInt64(raw[i])
            i += 1
        }
        guard seen & 0x8080_8080_8080_8080 == 0 else { return nil }
        return (UInt64(bigEndian: padded.0), UInt64(bigEndian: padded.1))
    }

    /// Sorts `keys`, which are in `index` order, by their words, stably (so by `index` among equal
    /// words): a least-significant-digit radix sort over the few bytes that differ between the
    /// keys (names share prefixes and zero padding), or the standard sort when many differ or
    /// the keys are a few ascending runs already (which it merges in a sweep or two).
    static func sortKeys(_ keys: inout [Key]) {
        guard let first = keys.first else { return }
        var differHigh: UInt64 = 0, differLow: UInt64 = 0, runs = 1
        for k in keys.indices {
            differHigh |= keys[k].high ^ first.high
            differLow |= keys[k].low ^ first.low
            if k > 0, keys[k] < keys[k - 1] { runs += 1 }
        }
        // Each pass: which word, and the shift of its byte; least significant byte first.
        var passes: [(high: Bool, shift: UInt64)] = []
        for byte in 0..<8 where (differLow >> UInt64(8 * byte)) & 0xff != 0 { passes.append((false, UInt64(8 * byte))) }
        for byte in 0..<8 where (differHigh >> UInt64(8 * byte)) & 0xff != 0 { passes.append((true, UInt64(8 * byte))) }
        guard keys.count >= 64, passes.count <= 6, runs > 4 else {
            keys.sort()
            return
        }
        var scratch = keys
        var starts = [Int](repeating: 0, count: 256)
        for pass in passes {
            keys.withUnsafeBufferPointer { from in
                scratch.withUnsafeMutableBufferPointer { to in
                    starts.withUnsafeMutableBufferPointer { starts in
                        func digit(_ key: Key) -> Int { Int(truncatingIfNeeded: ((pass.high ? key.high : key.low) >> pass.shift) & 0xff) }
                        for d in 0..<256 { starts[d] = 0 }
                        for key in from { starts[digit(key)] += 1 }
                        var sum = 0
                        for d in 0..<256 { (starts[d], sum) = (sum, sum + starts[d]) }
                        for key in from {
                            let d = digit(key)
                            to[starts[d]] = key
                            starts[d] += 1
                        }
                    }
                }
            }
            swap(&keys, &scratch)
        }
    }

    /// Reorders `indices` so that `name(index)` ascends (stable for equal names). Names already in
    /// order, or in a few ascending runs, are found so in one sweep and merged as strings; names in
    /// no order are sorted by their keys.
    static func sort(_ indices: inout [Int], by name: (Int) -> String) {
        var runs = 1
        for k in indices.indices.dropFirst() where name(indices[k]) < name(indices[k - 1]) {
            runs += 1
            if runs > 4 { break }
        }
        if runs == 1 { return }
        if runs <= 4 {
            indices.sort { name($0) < name($1) }
            return
        }
        var keys: [Key] = []
        keys.reserveCapacity(indices.count)
        for (position, i) in indices.enumerated() {
            guard let key = key(name(i), index: position) else {
                indices.sort { name($0) < name($1) }
                return
            }
            keys.append(key)
        }
        sortKeys(&keys)
        // Names equal in their first 16 bytes: the strings decide (a stable sort of a run that is in
        // position order).
        var start = 0
        while start < keys.count {
            var end = start + 1
            while end < keys.count, keys[end].high == keys[start].high, keys[end].low == keys[start].low { end += 1 }
            if end - start > 1 { keys[start..<end].sort { name(indices[$0.index]) < name(indices[$1.index]) } }
            start = end
        }
        let unsorted = indices
        for (p, key) in keys.enumerated() { indices[p] = unsorted[key.index] }
    }

    /// Lists shorter than this are sorted as strings.
    static let comparedBelow = 32

    /// `names` in ascending order: fewer than ``comparedBelow`` by `String`'s own sort, which
    /// then costs less than making their keys.
    static func sorted(_ names: some Collection<String>) -> [String] {
        var all = Array(names)
        if all.count < comparedBelow {
            all.sort()
            return all
        }
        var order = Array(all.indices)
        sort(&order) { all[$0] }
        return order.map { all[$0] }
    }
}
