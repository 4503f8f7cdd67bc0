import Foundation
import KubernetesAPI

/// Splits a byte stream into newline-terminated lines (watch streams are one JSON object per line).
/// Bounded: a line longer than `maxLineBytes` is an error rather than unbounded growth.
public struct LineSplitter: Sendable {
    private var buffer = Data()
    /// The longest line accepted.
    public let maxLineBytes: Int

    /// Creates a splitter.
    public init(maxLineBytes: Int = 64 << 20) { self.maxLineBytes = maxLineBytes }

    /// Feeds a chunk; returns the complete non-empty lines it finished.
    ///
    /// Each chunk is scanned once, through its bytes: a chunk holding many events (a busy watch) costs
    /// one pass and one copy per line, and only an unfinished end is kept for the next chunk.
    public mutating func feed(_ chunk: Data) throws -> [Data] {
        var lines: [Data] = []
        var start = chunk.startIndex
        for offset in chunk.newlineOffsets() {
            let end = chunk.startIndex + offset
            let line: Data
            if buffer.isEmpty {
                line = Data(chunk[start..<end])
            } else {
                buffer.append(chunk[start..<end])
                line = buffer
                buffer = Data()
            }
            if !Self.isBlank(line) { lines.append(line) }
            start = end + 1
        }
        if start < chunk.endIndex { buffer.append(chunk[start...]) }
        if buffer.count > maxLineBytes {
            throw KubeTransportError(.invalidResponse, "a watch event exceeds \(maxLineBytes) bytes")
        }
        return lines
    }

    /// True when `line` holds only spaces, tabs and carriage returns (a keep-alive, not an event).
    private static func isBlank(_ line: Data) -> Bool {
        line.withUnsafeBytes { bytes in bytes.allSatisfy { $0 == 0x20 || $0 == 0x0D || $0 == 0x09 } }
    }

    /// The trailing bytes after the last newline, if they are not blank (a final line without a newline).
    public mutating func finish() -> Data? {
        defer { buffer = Data() }
        return Self.isBlank(buffer) ? nil : buffer
    }
}

/// One open watch connection, decoded: an `AsyncSequence` of `DecodedWatchEvent`s that ends
/// when the server closes the stream. Pull-based; cancelling the consumer ends the HTTP stream.
///
/// An event whose object the typed decoder refuses throws `UndecodableObject`; the stream stays
/// usable, and the next call to `next()` returns the following event.
public struct WatchEventStream<Object: Sendable>: AsyncSequence, Sendable {
    /// A decoded event.
    public typealias Element = DecodedWatchEvent<Object>
    let body: KubeByteStream
    let decode: @Sendable (Data) throws -> DecodedWatchEvent<Object>

    /// Creates a stream over raw body chunks.
    public init(body: KubeByteStream, decode: @escaping @Sendable (Data) throws -> DecodedWatchEvent<Object>) {
        self.body = body
        self.decode = decode
    }

    /// Iterates events.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var body: KubeByteStream.AsyncIterator
        let decode: @Sendable (Data) throws -> DecodedWatchEvent<Object>
        var splitter = LineSplitter()
        var pending: [Data] = []
        /// The next line of `pending` to decode (lines are taken by index: a chunk may hold many).
        var nextPending = 0
        var ended = false

        /// The next event, or nil when the server closed the stream.
        public mutating func next() async throws -> DecodedWatchEvent<Object>? {
            while nextPending == pending.count {
                if ended { return nil }
                nextPending = 0
                if let chunk = try await body.next() {
                    pending = try splitter.feed(chunk)
                } else {
                    ended = true
                    pending = splitter.finish().map { [$0] } ?? []
                }
            }
            let line = pending[nextPending]
            nextPending += 1
            do {
                return try decode(line)
            } catch let e as KubeTransportError {
                throw e
            } catch let bad as UndecodableObject {
                throw bad
            } catch {
                throw KubeTransportError(.invalidResponse, "cannot decode watch event: \(error)")
            }
        }
    }

    /// Starts iterating.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(body: body.makeAsyncIterator(), decode: decode)
    }
}

extension ObjectClient {
    /// Opens one WATCH from `options.list.resourceVersion` and returns its decoded events, without
    /// any retry or relist (see `watcher(namespace:options:configuration:)` for that).
    /// Throws `KubeAPIError` when the server refuses (410 Gone for a too-old resourceVersion).
    public func watchEvents(namespace: String? = nil, options: WatchOptions = WatchOptions()) async throws -> WatchEventStream<Object> {
        let response = try await transport.stream(requests.watch(namespace: scope.isNamespaced ? namespace : nil, options: options))
        guard response.statusCode == 200 else {
            var data = Data()
            for try await chunk in response.body {
                data.append(chunk)
                if data.count > 1 << 20 { break }
            }
            throw KubeAPIError(statusCode: response.statusCode, body: data)
        }
        return WatchEventStream(body: response.body, decode: codec.decodeEvent)
    }
}
