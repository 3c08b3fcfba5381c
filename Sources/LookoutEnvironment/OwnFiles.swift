import Foundation

/// The files lookout writes (the audit log, the state files and their lock files) and their
/// folder: opened without following symlinks, and refused when they are not this user's (or
/// root's) or when anyone may write them (o+w). Group-writable stays allowed: a shared audit log
/// on a bastion host is group-writable. State files are replaced whole: a temporary file, fsync,
/// rename, fsync of the folder.
public enum OwnFiles {
    public struct Refused: Error, Sendable, CustomStringConvertible {
        /// The file or folder refused.
        public let path: String
        /// Why, without the path.
        public let reason: String

        public var description: String { "\(path) \(reason)" }
    }

    /// Creates `folder` (mode 0700, parents too) when it is missing; refuses one that is a
    /// symlink, not a folder, someone else's, or writable by others.
    public static func folder(_ folder: String) throws(Refused) {
        var status = stat()
        if lstat(folder, &status) != 0 {
            guard errno == ENOENT else { throw refused(folder, "cannot be read: \(String(cString: strerror(errno)))") }
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw refused(folder, "cannot be created: \(error.localizedDescription)")
            }
            guard lstat(folder, &status) == 0 else { throw refused(folder, "cannot be read: \(String(cString: strerror(errno)))") }
        }
        guard status.st_mode & S_IFMT != S_IFLNK else { throw refused(folder, "is a symbolic link; lookout does not follow one for its own files") }
        guard status.st_mode & S_IFMT == S_IFDIR else { throw refused(folder, "is not a folder") }
        // A sticky folder writable by all (/tmp) is safe here: no one else can rename or remove
        // lookout's files in it, and a file someone put there first is refused as theirs.
        var checked = status
        if checked.st_mode & S_ISVTX != 0 { checked.st_mode &= ~S_IWOTH }
        try check(checked, folder, kind: "folder")
    }

    /// Opens `path` (flags such as `O_WRONLY | O_APPEND | O_CREAT`, never following a symlink) and
    /// checks what was opened: a regular file, this user's or root's, not writable by others.
    /// - Returns: the descriptor; the caller closes it.
    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o600) throws(Refused) -> Int32 {
        let descriptor = Glibc.open(path, flags | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            let code = errno
            if code == ELOOP { throw refused(path, "is a symbolic link; lookout does not follow one for its own files") }
            throw refused(path, "cannot be opened: \(String(cString: strerror(code)))")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            close(descriptor)
            throw refused(path, "cannot be read: \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw refused(path, "is not a regular file")
        }
        do throws(Refused) {
            try check(status, path, kind: "file")
        } catch {
            close(descriptor)
            throw error
        }
        return descriptor
    }

    /// Reads `path` whole (at most `limit` bytes), refusing what ``open(_:_:mode:)`` refuses;
    /// nil when it does not exist.
    public static func read(_ path: String, limit: Int) throws(Refused) -> [UInt8]? {
        var status = stat()
        guard lstat(path, &status) == 0 || errno != ENOENT else { return nil }
        let descriptor = try open(path, O_RDONLY)
        defer { close(descriptor) }
        // Read in place, as many bytes as the file holds now and one more (to see a file that
        // grew); more, if it did, 64 KB at a time. (Appending 64 KB pieces copied a state file of
        // 2.6 MB about three times over.)
        var opened = stat()
        let expected = fstat(descriptor, &opened) == 0 ? min(max(Int(opened.st_size), 0), limit) + 1 : 64 << 10
        var ended = false
        var bytes = [UInt8](unsafeUninitializedCapacity: expected) { buffer, initialized in
            initialized = 0
            while initialized < buffer.count {
                let count = Glibc.read(descriptor, buffer.baseAddress! + initialized, buffer.count - initialized)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { ended = true; break }
                initialized += count
            }
        }
        var buffer = [UInt8](repeating: 0, count: ended ? 0 : 64 << 10)
        while !ended, bytes.count <= limit {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += buffer[..<count]
        }
        guard bytes.count <= limit else { throw refused(path, "is larger than \(limit) bytes") }
        return bytes
    }

    /// Replaces `path` with `bytes` whole: a new temporary file beside it (created, never opened
    /// through a symlink), written and fsynced, renamed over `path`, and the folder fsynced. An
    /// existing `path` is checked first: a symlink or someone else's file is refused, not replaced.
    public static func replace(_ path: String, with bytes: [UInt8], mode: mode_t = 0o600) throws(Refused) {
        try replace(path, mode: mode) { write in write(bytes) }
    }

    /// ``replace(_:with:mode:)`` with the bytes written as `produce` makes them, a piece at a time
    /// (`write` it calls for each): `path` is replaced only once all are written and synced; after
    /// a failed write the rest are not written and `path` is left as it was.
    public static func replace(_ path: String, mode: mode_t = 0o600, writing produce: (_ write: ([UInt8]) -> Void) -> Void) throws(Refused) {
        var status = stat()
        if lstat(path, &status) == 0 {
            guard status.st_mode & S_IFMT != S_IFLNK else { throw refused(path, "is a symbolic link; lookout does not follow one for its own files") }
            try check(status, path, kind: "file")
        }
        let temporary = "\(path).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw refused(temporary, "cannot be created: \(String(cString: strerror(errno)))") }
        var failure: String?
        produce { bytes in
            var written = 0
            while failure == nil, written < bytes.count {
                let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    failure = String(cString: strerror(errno))
                    break
                }
                written += count
            }
        }
        if let failure {
            close(descriptor)
            unlink(temporary)
            throw refused(temporary, "cannot be written: \(failure)")
        }
        guard fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            unlink(temporary)
            throw refused(temporary, "cannot be synced: \(reason)")
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw refused(path, "cannot be replaced: \(reason)")
        }
        let folder = Glibc.open((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent,
                                O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }

    /// This user's or root's, and not writable by others.
    static func check(_ status: stat, _ path: String, kind: String) throws(Refused) {
        let owner = status.st_uid
        guard owner == geteuid() || owner == 0 else {
            throw refused(path, "belongs to another user (uid \(owner)); lookout writes only its own \(kind)s (or root's)")
        }
        guard status.st_mode & S_IWOTH == 0 else {
            throw refused(path, "is writable by others (mode \(String(status.st_mode & 0o7777, radix: 8))); `chmod o-w` it")
        }
    }

    static func refused(_ path: String, _ why: String) -> Refused {
        Refused(path: path, reason: why)
    }
}
