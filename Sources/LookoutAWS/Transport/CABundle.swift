import Foundation

/// The CAs an environment's AWS endpoint is trusted by, as the AWS CLI is told: `AWS_CA_BUNDLE`,
/// else the profile's `ca_bundle` in the config file (botocore's order), else the system's.
/// For endpoints behind a TLS-inspecting proxy or a private front with its own CA.
public enum CABundle {
    /// The PEM file to trust instead of the system's CAs, or nil for the system's.
    /// - Parameter profile: the environment's profile; nil: `AWS_PROFILE`, else `default`.
    public static func path(profile: String?, environment: [String: String]) -> String? {
        if let bundle = environment["AWS_CA_BUNDLE"], !bundle.isEmpty { return expand(bundle, environment) }
        var files = SharedConfigFiles(environment: environment)
        // An unreadable config file is the credential chain's to report; here it trusts nothing extra.
        guard (try? files.load()) != nil else { return nil }
        let name = profile ?? environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        guard let bundle = files.profile(name)?["ca_bundle"], !bundle.isEmpty else { return nil }
        return expand(bundle, environment)
    }

    static func expand(_ path: String, _ environment: [String: String]) -> String {
        path.hasPrefix("~/") ? (environment["HOME"] ?? NSHomeDirectory()) + path.dropFirst(1) : path
    }
}
