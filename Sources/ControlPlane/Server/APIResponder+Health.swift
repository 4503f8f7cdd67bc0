import Hummingbird
import HTTPTypes
import Logging

extension APIResponder {
    /// `/healthz`, `/livez` and `/readyz`, as kube-apiserver answers them: `ok`, or with `?verbose`
    /// one `[+]check ok` line per check and `<endpoint> check passed`; `/<endpoint>/<check>` runs one
    /// check, and a check the endpoint does not have is 404. Liveness checks only that the process
    /// serves (`ping`); readiness also needs the store to answer (`storage`): an etcd cut off from this
    /// server makes it not ready, with kube-apiserver's 500 and check list.
    func health(endpoint: String, check: String?, verbose: Bool) async -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        let checks = endpoint == "readyz" ? ["ping", "storage"] : ["ping"]
        if let check, !checks.contains(check) {
            return Response(status: .notFound, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: "404 page not found\n")))
        }
        let run = check.map { [$0] } ?? checks
        var lines: [String] = []
        var failed = false
        for name in run {
            if name == "storage" {
                do {
                    try await handler.store.checkReadiness()
                } catch {
                    logger.warning("Not ready: the storage does not answer", metadata: ["error": "\(error)"])
                    lines.append("[-]storage failed: reason withheld")
                    failed = true
                    continue
                }
            }
            lines.append("[+]\(name) ok")
        }
        if failed {
            let body = lines.joined(separator: "\n") + "\n\(endpoint) check failed\n"
            return Response(status: .internalServerError, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        let body = verbose ? lines.joined(separator: "\n") + "\n\(endpoint) check passed\n" : "ok"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
