//! The sealed-secrets ciphertext format, as the controller writes and reads it.
//!
//! kubeseal's `HybridEncrypt` (bitnami-labs/sealed-secrets, pkg/crypto): a
//! fresh 32-byte AES-256 session key is encrypted with RSA-OAEP (SHA-256, the
//! scope as label) for the controller's key, and the value with AES-GCM under
//! that session key (zero nonce, 16-byte tag). The output is
//!
//! ```text
//! [2 bytes: RSA ciphertext length, big-endian][RSA ciphertext][AES-GCM ciphertext + 16-byte tag]
//! ```
//!
//! base64-encoded with the standard alphabet and padding. The RSA ciphertext
//! is exactly the key's modulus size: 256, 384 or 512 bytes for the 2048,
//! 3072 and 4096-bit keys the controller makes (4096 by default).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Modulus sizes, in bytes, of the RSA keys a sealed-secrets controller uses.
pub const RSA_BLOCK_SIZES: [usize; 3] = [256, 384, 512];
const LENGTH_PREFIX: usize = 2;
const GCM_TAG: usize = 16;

/// What a value in `encryptedData` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealedValue {
    /// Well-formed sealed output hiding `plaintext_len` bytes.
    Sealed {
        rsa_bits: usize,
        plaintext_len: usize,
    },
    /// Not strict standard base64 (wrong alphabet, missing padding, spaces).
    NotBase64,
    /// Decodes, but is not sealed output: too short, or the length prefix
    /// does not name an RSA block of a size the controller uses.
    NotSealed { decoded_len: usize },
}

pub fn inspect(value: &str) -> SealedValue {
    let Ok(bytes) = STANDARD.decode(value) else {
        return SealedValue::NotBase64;
    };
    let not_sealed = SealedValue::NotSealed {
        decoded_len: bytes.len(),
    };
    let Some(prefix) = bytes.get(..LENGTH_PREFIX) else {
        return not_sealed;
    };
    let rsa_len = usize::from(u16::from_be_bytes([prefix[0], prefix[1]]));
    if !RSA_BLOCK_SIZES.contains(&rsa_len) {
        return not_sealed;
    }
    match bytes.len().checked_sub(LENGTH_PREFIX + rsa_len + GCM_TAG) {
        Some(plaintext_len) => SealedValue::Sealed {
            rsa_bits: rsa_len * 8,
            plaintext_len,
        },
        None => not_sealed,
    }
}

/// Whether `value` is well-formed sealed output (the secret scanner never
/// reports those: they are what belongs in Git).
pub fn is_sealed(value: &str) -> bool {
    // The cheapest test first: sealed output is at least 274 bytes, so at
    // least 368 characters of base64.
    value.len() >= 368 && matches!(inspect(value), SealedValue::Sealed { .. })
}

/// The smallest base64 text a sealed value can have: the length prefix,
/// a 2048-bit RSA block and the tag.
pub const MIN_SEALED_LEN: usize = (LENGTH_PREFIX + 256 + GCM_TAG).div_ceil(3) * 4;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Sealed-shaped bytes (random-looking, not real ciphertext): what
    /// validation sees of a value sealed for a `bits` key.
    pub(crate) fn sealed_shape(bits: usize, plaintext_len: usize, seed: u8) -> String {
        let rsa_len = bits / 8;
        let mut bytes = (rsa_len as u16).to_be_bytes().to_vec();
        let body = rsa_len + plaintext_len + GCM_TAG;
        bytes.extend((0..body).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
        STANDARD.encode(bytes)
    }

    #[test]
    fn recognises_sealed_output_of_every_key_size() {
        for bits in [2048, 3072, 4096] {
            let value = sealed_shape(bits, 12, 7);
            assert_eq!(
                inspect(&value),
                SealedValue::Sealed {
                    rsa_bits: bits,
                    plaintext_len: 12
                }
            );
            assert!(is_sealed(&value));
        }
        assert_eq!(
            inspect(&sealed_shape(4096, 0, 1)),
            SealedValue::Sealed {
                rsa_bits: 4096,
                plaintext_len: 0
            }
        );
        assert_eq!(MIN_SEALED_LEN, 368);
        assert_eq!(sealed_shape(2048, 0, 0).len(), MIN_SEALED_LEN);
    }

    #[test]
    fn rejects_what_is_not_sealed_output() {
        assert_eq!(
            inspect("AgBy8hCi8Q6HX3b1Uu0Rr0yFZ0Ex5OqAbc"),
            SealedValue::NotBase64
        );
        assert_eq!(
            inspect("aGVsbG8="),
            SealedValue::NotSealed { decoded_len: 5 }
        );
        // Unpadded and URL-safe base64 are not what kubeseal writes.
        let value = sealed_shape(4096, 8, 3);
        assert_eq!(inspect(value.trim_end_matches('=')), SealedValue::NotBase64);
        assert_eq!(inspect("AgBy-_8="), SealedValue::NotBase64);
        assert_eq!(inspect("AgBy 8hC="), SealedValue::NotBase64);
        // A wrong length prefix: 0x0300 is not an RSA block size.
        let mut bytes = STANDARD.decode(sealed_shape(4096, 8, 3)).unwrap();
        bytes[0] = 3;
        assert!(matches!(
            inspect(&STANDARD.encode(&bytes)),
            SealedValue::NotSealed { .. }
        ));
        // Too short for the block its prefix names.
        bytes[0] = 2;
        bytes.truncate(300);
        assert!(matches!(
            inspect(&STANDARD.encode(&bytes)),
            SealedValue::NotSealed { .. }
        ));
    }
}
