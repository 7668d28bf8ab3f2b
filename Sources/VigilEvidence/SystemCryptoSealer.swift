#if os(Linux)
    import Glibc
#endif

/// AES-256-GCM from the operating system's OpenSSL 3 `libcrypto`, loaded at run time — so the SDK
/// seals evidence with a real, audited implementation while keeping zero package dependencies and no
/// build-time headers. Linux only (macOS forbids loading its private libcrypto; use CryptoKit through
/// `Adapters/VigilCrypto` there). Hosts that already link swift-crypto should prefer
/// `Adapters/VigilCrypto`'s `SwiftCryptoSealer`.
///
/// ```swift
/// let sealer = try SystemCryptoSealer.load()      // EvidenceError.unavailable when no libcrypto.so.3
/// let vault = EvidenceVault(store: store, sealer: sealer, keys: keys)
/// ```
///
/// Only the EVP interface's stable entry points are used (`EVP_aes_256_gcm`, `EVP_EncryptInit_ex`,
/// `EVP_EncryptUpdate`, `EVP_EncryptFinal_ex`, their `Decrypt` twins, `EVP_CIPHER_CTX_ctrl` for the
/// tag); the envelope's algorithm name is `AES-256-GCM`, so a vault sealed here opens with
/// `SwiftCryptoSealer.aesGCM` and the other way round.
public struct SystemCryptoSealer: EnvelopeSealer {
    public var algorithm: String { "AES-256-GCM" }
    private let library: Library

    private init(library: Library) { self.library = library }

    /// Loads `libcrypto` (`libcrypto.so.3`, else `libcrypto.so`).
    ///
    /// - Throws: ``EvidenceError/Code/unavailable`` when the library or one of its entry points is
    ///   missing, or on a platform other than Linux.
    public static func load() throws(EvidenceError) -> SystemCryptoSealer {
        guard let library = Library.shared else {
            throw EvidenceError(.unavailable, "the system's libcrypto (OpenSSL 3) could not be loaded")
        }
        return SystemCryptoSealer(library: library)
    }

    public func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], authenticating aad: [UInt8]) throws
        -> (ciphertext: [UInt8], tag: [UInt8])
    {
        try Self.checkSizes(key: key, nonce: nonce)
        guard let context = library.newContext() else { throw EvidenceError(.unavailable, "EVP_CIPHER_CTX_new failed") }
        defer { library.freeContext(context) }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: EnvelopeSizes.tagBytes)
        let ok: Bool = key.withUnsafeBufferPointer { key in
            nonce.withUnsafeBufferPointer { nonce in
                guard library.encryptInit(context, library.aes256GCM(), nil, key.baseAddress, nonce.baseAddress) == 1 else {
                    return false
                }
                var written: Int32 = 0
                if !aad.isEmpty {
                    guard aad.withUnsafeBufferPointer({ library.encryptUpdate(context, nil, &written, $0.baseAddress, Int32($0.count)) }) == 1
                    else { return false }
                }
                if !plaintext.isEmpty {
                    let status = plaintext.withUnsafeBufferPointer { input in
                        ciphertext.withUnsafeMutableBufferPointer { output in
                            library.encryptUpdate(context, output.baseAddress, &written, input.baseAddress, Int32(input.count))
                        }
                    }
                    guard status == 1, Int(written) == plaintext.count else { return false }
                }
                var final = [UInt8](repeating: 0, count: 16)
                guard final.withUnsafeMutableBufferPointer({ library.encryptFinal(context, $0.baseAddress, &written) }) == 1,
                    written == 0
                else { return false }
                return tag.withUnsafeMutableBytes {
                    library.control(context, Library.getTag, Int32(EnvelopeSizes.tagBytes), $0.baseAddress)
                } == 1
            }
        }
        guard ok else { throw EvidenceError(.unavailable, "libcrypto refused to seal") }
        return (ciphertext, tag)
    }

    public func open(_ ciphertext: [UInt8], tag: [UInt8], key: [UInt8], nonce: [UInt8], authenticating aad: [UInt8]) throws
        -> [UInt8]
    {
        try Self.checkSizes(key: key, nonce: nonce)
        guard tag.count == EnvelopeSizes.tagBytes else { throw EvidenceError(.authenticationFailed, "the tag is not 16 bytes") }
        guard let context = library.newContext() else { throw EvidenceError(.unavailable, "EVP_CIPHER_CTX_new failed") }
        defer { library.freeContext(context) }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        var tag = tag
        let ok: Bool = key.withUnsafeBufferPointer { key in
            nonce.withUnsafeBufferPointer { nonce in
                guard library.decryptInit(context, library.aes256GCM(), nil, key.baseAddress, nonce.baseAddress) == 1 else {
                    return false
                }
                var written: Int32 = 0
                if !aad.isEmpty {
                    guard aad.withUnsafeBufferPointer({ library.decryptUpdate(context, nil, &written, $0.baseAddress, Int32($0.count)) }) == 1
                    else { return false }
                }
                if !ciphertext.isEmpty {
                    let status = ciphertext.withUnsafeBufferPointer { input in
                        plaintext.withUnsafeMutableBufferPointer { output in
                            library.decryptUpdate(context, output.baseAddress, &written, input.baseAddress, Int32(input.count))
                        }
                    }
                    guard status == 1, Int(written) == ciphertext.count else { return false }
                }
                guard
                    tag.withUnsafeMutableBytes({
                        library.control(context, Library.setTag, Int32(EnvelopeSizes.tagBytes), $0.baseAddress)
                    }) == 1
                else { return false }
                var final = [UInt8](repeating: 0, count: 16)
                // 1 only when the tag verifies.
                return final.withUnsafeMutableBufferPointer { library.decryptFinal(context, $0.baseAddress, &written) } == 1
            }
        }
        guard ok else {
            for index in plaintext.indices { plaintext[index] = 0 }
            throw EvidenceError(.authenticationFailed, "the tag does not verify")
        }
        return plaintext
    }

    private static func checkSizes(key: [UInt8], nonce: [UInt8]) throws(EvidenceError) {
        guard key.count == EnvelopeSizes.keyBytes else { throw EvidenceError(.invalidKey, "AES-256-GCM takes a 32-byte key") }
        guard nonce.count == EnvelopeSizes.nonceBytes else { throw EvidenceError(.invalidKey, "AES-256-GCM takes a 12-byte nonce here") }
    }

    /// The resolved entry points. The handle is never closed: the functions stay valid for the process.
    private struct Library: @unchecked Sendable {
        typealias Context = OpaquePointer
        typealias NewContext = @convention(c) () -> Context?
        typealias FreeContext = @convention(c) (Context?) -> Void
        typealias Cipher = @convention(c) () -> OpaquePointer?
        typealias Init = @convention(c) (Context?, OpaquePointer?, OpaquePointer?, UnsafePointer<UInt8>?, UnsafePointer<UInt8>?) -> Int32
        typealias Update =
            @convention(c) (
                Context?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<Int32>?,
                UnsafePointer<UInt8>?, Int32
            ) -> Int32
        typealias Final = @convention(c) (Context?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<Int32>?) -> Int32
        typealias Control = @convention(c) (Context?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32

        /// `EVP_CTRL_GCM_GET_TAG` / `EVP_CTRL_GCM_SET_TAG` (openssl/evp.h).
        static let getTag: Int32 = 0x10
        static let setTag: Int32 = 0x11

        let newContext: NewContext
        let freeContext: FreeContext
        let aes256GCM: Cipher
        let encryptInit: Init
        let encryptUpdate: Update
        let encryptFinal: Final
        let decryptInit: Init
        let decryptUpdate: Update
        let decryptFinal: Final
        let control: Control

        static let shared: Library? = load()

        private static func load() -> Library? {
            #if os(Linux)
                guard let handle = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL) ?? dlopen("libcrypto.so", RTLD_NOW | RTLD_LOCAL)
                else { return nil }
                func symbol<T>(_ name: String, as type: T.Type) -> T? {
                    dlsym(handle, name).map { unsafeBitCast($0, to: type) }
                }
                guard let newContext = symbol("EVP_CIPHER_CTX_new", as: NewContext.self),
                    let freeContext = symbol("EVP_CIPHER_CTX_free", as: FreeContext.self),
                    let aes256GCM = symbol("EVP_aes_256_gcm", as: Cipher.self),
                    let encryptInit = symbol("EVP_EncryptInit_ex", as: Init.self),
                    let encryptUpdate = symbol("EVP_EncryptUpdate", as: Update.self),
                    let encryptFinal = symbol("EVP_EncryptFinal_ex", as: Final.self),
                    let decryptInit = symbol("EVP_DecryptInit_ex", as: Init.self),
                    let decryptUpdate = symbol("EVP_DecryptUpdate", as: Update.self),
                    let decryptFinal = symbol("EVP_DecryptFinal_ex", as: Final.self),
                    let control = symbol("EVP_CIPHER_CTX_ctrl", as: Control.self)
                else { return nil }
                return Library(
                    newContext: newContext, freeContext: freeContext, aes256GCM: aes256GCM,
                    encryptInit: encryptInit, encryptUpdate: encryptUpdate, encryptFinal: encryptFinal,
                    decryptInit: decryptInit, decryptUpdate: decryptUpdate, decryptFinal: decryptFinal,
                    control: control)
            #else
                return nil
            #endif
        }
    }
}
