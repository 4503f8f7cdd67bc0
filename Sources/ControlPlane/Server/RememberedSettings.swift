import Foundation

/// The serving settings a data directory was started with, kept in `<dataDirectory>/settings.json`, so a
/// restart with only `--data-dir` and `--port` comes back the same (HTTPS or plain HTTP, extra certificate
/// names, certificate files, client CA, token file).
///
/// ```swift
/// let remembered = try RememberedSettings.load(dataDirectory: dir)
/// let settings = try RememberedSettings.merge(remembered: remembered, requested: fromFlags, dataDirectory: dir)
/// try settings.save(dataDirectory: dir)
/// ```
public struct RememberedSettings: Codable, Sendable, Equatable {
    /// True when the directory serves plain HTTP (`--insecure-plain-http`); false serves HTTPS.
    public var plainHTTP: Bool
    /// Extra names of the generated serving certificate (`--tls-san`).
    public var subjectAlternativeNames: [String]
    /// The operator's serving certificate (`--tls-cert-file`), or nil for the generated one.
    public var certificateFile: String?
    /// The key of `certificateFile` (`--tls-private-key-file`).
    public var privateKeyFile: String?
    /// The client CA bundle (`--client-ca-file`).
    public var clientCAFile: String?
    /// The static token file (`--token-file`).
    public var tokenFile: String?

    /// Creates settings; the defaults are HTTPS with a generated certificate.
    public init(
        plainHTTP: Bool = false, subjectAlternativeNames: [String] = [], certificateFile: String? = nil, privateKeyFile: String? = nil,
        clientCAFile: String? = nil, tokenFile: String? = nil
    ) {
        self.plainHTTP = plainHTTP
        self.subjectAlternativeNames = subjectAlternativeNames
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.clientCAFile = clientCAFile
        self.tokenFile = tokenFile
    }

    /// What the command line asked for: nil fields were not given.
    public struct Request: Sendable, Equatable {
        /// True for `--insecure-plain-http`, false for an HTTPS flag (`--tls`, `--tls-san`, `--tls-cert-file`), nil for neither.
        public var plainHTTP: Bool?
        /// `--tls-san` values, when any were given.
        public var subjectAlternativeNames: [String]?
        /// `--tls-cert-file` and `--tls-private-key-file`, when given.
        public var certificateFiles: (certificate: String, privateKey: String)?
        /// `--client-ca-file`, when given.
        public var clientCAFile: String?
        /// `--token-file`, when given.
        public var tokenFile: String?

        /// Creates a request.
        public init(
            plainHTTP: Bool? = nil, subjectAlternativeNames: [String]? = nil, certificateFiles: (certificate: String, privateKey: String)? = nil,
            clientCAFile: String? = nil, tokenFile: String? = nil
        ) {
            self.plainHTTP = plainHTTP
            self.subjectAlternativeNames = subjectAlternativeNames
            self.certificateFiles = certificateFiles
            self.clientCAFile = clientCAFile
            self.tokenFile = tokenFile
        }

        /// Equal when every field is.
        public static func == (a: Request, b: Request) -> Bool {
            a.plainHTTP == b.plainHTTP && a.subjectAlternativeNames == b.subjectAlternativeNames
                && a.certificateFiles?.certificate == b.certificateFiles?.certificate && a.certificateFiles?.privateKey == b.certificateFiles?.privateKey
                && a.clientCAFile == b.clientCAFile && a.tokenFile == b.tokenFile
        }
    }

    /// The file name inside the data directory.
    public static let fileName = "settings.json"

    /// The settings kept in `dataDirectory`, or nil when it has none yet.
    public static func load(dataDirectory: String) throws -> RememberedSettings? {
        let path = (dataDirectory as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(RememberedSettings.self, from: data)
        } catch {
            throw ControlPlaneError("\(path) is not readable settings (\(error)); fix it, or remove it to start with the flags given")
        }
    }

    /// Writes the settings into `dataDirectory` (readable by the owner only).
    public func save(dataDirectory: String) throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try Credentials.writePrivate(try encoder.encode(self), to: (dataDirectory as NSString).appendingPathComponent(Self.fileName))
    }

    /// The settings to serve with: the remembered ones, with what the command line gave explicitly on top.
    ///
    /// Switching between HTTPS and plain HTTP is refused (clients hold a kubeconfig for one of them); every
    /// other setting given replaces the remembered one.
    public static func merge(remembered: RememberedSettings?, requested: Request, dataDirectory: String) throws -> RememberedSettings {
        var settings = remembered ?? RememberedSettings(plainHTTP: requested.plainHTTP ?? false)
        if let remembered, let plain = requested.plainHTTP, plain != remembered.plainHTTP {
            let flag = plain ? "--insecure-plain-http" : (requested.certificateFiles != nil ? "--tls-cert-file" : requested.subjectAlternativeNames != nil ? "--tls-san" : "--tls")
            let was = remembered.plainHTTP ? "plain HTTP (--insecure-plain-http)" : "HTTPS"
            throw ControlPlaneError(
                "\(dataDirectory) was started serving \(was) and \(flag) asks for the other; drop \(flag) to keep it, or use a new --data-dir")
        }
        settings = settings.merging(requested)
        if settings.plainHTTP && settings.clientCAFile != nil {
            throw ControlPlaneError(
                "\(dataDirectory) serves plain HTTP (--insecure-plain-http) and --client-ca-file needs TLS; drop --client-ca-file, or use a new --data-dir for HTTPS")
        }
        if settings.certificateFile != nil && !settings.subjectAlternativeNames.isEmpty {
            throw ControlPlaneError(
                "\(dataDirectory) remembers --tls-san \(settings.subjectAlternativeNames.joined(separator: ",")), which applies to the generated certificate only; remove \(Self.fileName) from it to drop them")
        }
        return settings
    }

    /// These settings with every option `requested` gives put in place (the serving mode included).
    public func merging(_ requested: Request) -> RememberedSettings {
        var settings = self
        if let plain = requested.plainHTTP { settings.plainHTTP = plain }
        if let names = requested.subjectAlternativeNames { settings.subjectAlternativeNames = names }
        if let files = requested.certificateFiles {
            settings.certificateFile = files.certificate
            settings.privateKeyFile = files.privateKey
            settings.subjectAlternativeNames = requested.subjectAlternativeNames ?? []
        }
        if let ca = requested.clientCAFile { settings.clientCAFile = ca }
        if let file = requested.tokenFile { settings.tokenFile = file }
        return settings
    }

    /// The HTTPS settings these ask for, or nil for plain HTTP.
    public var servingTLS: ServingTLS? {
        guard !plainHTTP else { return nil }
        if let certificateFile, let privateKeyFile {
            return ServingTLS(certificate: .files(certificate: certificateFile, privateKey: privateKeyFile), clientCAFile: clientCAFile)
        }
        return ServingTLS(certificate: .generated(additionalNames: subjectAlternativeNames), clientCAFile: clientCAFile)
    }
}
