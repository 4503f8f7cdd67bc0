import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A watch over a plain blocking loopback socket: the cheapest client there is, so a test can hold a
/// thousand of them open and read what the server sent each one.
final class RawWatchConnection {
    private let descriptor: Int32
    private(set) var received: [UInt8] = []

    /// Connects to `127.0.0.1:port` and sends `GET path` with the bearer token; reads time out after `timeoutSeconds`.
    init(port: Int, path: String, token: String, timeoutSeconds: Int = 60) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw E2EError("socket() failed: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw E2EError("connect() failed: \(String(cString: strerror(errno)))")
        }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nAccept: application/json\r\n\r\n".utf8)
        let sent = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else {
            close(descriptor)
            throw E2EError("send() failed")
        }
    }

    deinit { close(descriptor) }

    /// Reads until `condition` holds for everything received so far; throws on timeout or end of stream.
    func read(until condition: ([UInt8]) -> Bool) throws {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while !condition(received) {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw E2EError(count == 0 ? "the server closed the watch" : "recv() failed: \(String(cString: strerror(errno)))") }
            received += chunk[0..<count]
        }
    }

    /// How many times `needle` occurs in what was received.
    func occurrences(of needle: String) -> Int {
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty, received.count >= pattern.count else { return 0 }
        var found = 0
        var index = 0
        while index <= received.count - pattern.count {
            if received[index] == pattern[0] && received[index..<(index + pattern.count)].elementsEqual(pattern) {
                found += 1
                index += pattern.count
            } else {
                index += 1
            }
        }
        return found
    }
}
