"""SealedSecrets in kubeseal's format, sealed against a public certificate.

The sealed-secrets controller decrypts what kubeseal writes; this writes the
same bytes (bitnami-labs/sealed-secrets, pkg/crypto HybridEncrypt): for each
value a fresh 32-byte AES-256 session key, encrypted with RSA-OAEP (SHA-256)
for the certificate's key under the scope's label, then the value encrypted
with AES-256-GCM under that session key. The label is what binds a value to
where it may be unsealed: `NAMESPACE/NAME` (strict, the default),
`NAMESPACE` (namespace-wide) or empty (cluster-wide). Each value is the base64
(standard alphabet) of

    [RSA ciphertext length, 2 bytes big-endian][RSA ciphertext][AES-GCM ciphertext + tag]

    tools/seal new-cert --cert PATH [--key-out PATH]
    tools/seal seal --cert PATH --namespace NS --name NAME
                    [--scope strict|namespace-wide|cluster-wide] [--type TYPE]
                    [--label K=V]... (--from-literal K=V | --random K[:BYTES] | --from-file K=PATH)...
    tools/seal unseal --key PATH [--key PATH]... FILE

`new-cert` makes a self-signed certificate like the controller's; its
private key is discarded unless `--key-out` names a file (for tests only:
a key never belongs in Git). `unseal` is kubeseal's `--recovery-unseal`: it
decrypts with private keys and prints the Secret, values included.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import json
import os
import re
import secrets
import shlex
import sys
from pathlib import Path
from typing import Any, NoReturn

from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

REPOSITORY = Path(__file__).resolve().parent.parent

SESSION_KEY_BYTES = 32
# GCM's standard 12-byte nonce, all zeros: HybridEncrypt uses each session
# key for one value only, so a fixed nonce never repeats under a key.
ZERO_NONCE = bytes(12)

# The controller's defaults (its --key-size, --key-ttl and --my-cn; the
# organisation is fixed): a certificate made here looks like the one
# `kubeseal --fetch-cert` returns.
KEY_BITS = 4096
CERT_DAYS = 3650
SUBJECT = "sealed-secret"

NAMESPACE_WIDE = "sealedsecrets.bitnami.com/namespace-wide"
CLUSTER_WIDE = "sealedsecrets.bitnami.com/cluster-wide"
SCOPES = ("strict", "namespace-wide", "cluster-wide")

# Kubernetes names: a namespace is a DNS-1123 label, a Secret's name a
# DNS-1123 subdomain, a key of a Secret's data what IsConfigMapKey allows.
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")
SECRET_KEY = re.compile(r"[-._a-zA-Z0-9]{1,253}")

RANDOM_BYTES = 32


def fail(message: str) -> NoReturn:
    print(f"seal: error: {message}", file=sys.stderr)
    sys.exit(1)


# --- the format -------------------------------------------------------------


def label(scope: str, namespace: str, name: str) -> bytes:
    """EncryptionLabel: what the RSA-OAEP block is bound to."""
    if scope == "cluster-wide":
        return b""
    if scope == "namespace-wide":
        return namespace.encode()
    return f"{namespace}/{name}".encode()


def hybrid_encrypt(public_key: rsa.RSAPublicKey, plaintext: bytes, scope_label: bytes) -> bytes:
    session_key = secrets.token_bytes(SESSION_KEY_BYTES)
    rsa_ciphertext = public_key.encrypt(session_key, oaep(scope_label))
    return (
        len(rsa_ciphertext).to_bytes(2, "big")
        + rsa_ciphertext
        + AESGCM(session_key).encrypt(ZERO_NONCE, plaintext, None)
    )


def hybrid_decrypt(controller_key: rsa.RSAPrivateKey, ciphertext: bytes, scope_label: bytes) -> bytes:
    """HybridDecrypt. Raises ValueError when the value was not sealed for this
    key and label, or was altered."""
    if len(ciphertext) < 2:
        raise ValueError("too short to be sealed output")
    rsa_len = int.from_bytes(ciphertext[:2], "big")
    if len(ciphertext) < 2 + rsa_len:
        raise ValueError(f"its length prefix names a {rsa_len}-byte RSA block, longer than the value")
    session_key = controller_key.decrypt(ciphertext[2 : 2 + rsa_len], oaep(scope_label))
    try:
        return AESGCM(session_key).decrypt(ZERO_NONCE, ciphertext[2 + rsa_len :], None)
    except InvalidTag:
        raise ValueError("the AES-GCM tag does not match: the ciphertext was altered") from None


def oaep(scope_label: bytes) -> padding.OAEP:
    # The Go library hashes the label with SHA-256 as well; an empty label is
    # passed as None so the cryptography package accepts it.
    return padding.OAEP(
        mgf=padding.MGF1(algorithm=hashes.SHA256()),
        algorithm=hashes.SHA256(),
        label=scope_label or None,
    )


# --- new-cert ----------------------------------------------------------------


def new_cert(args: argparse.Namespace) -> None:
    cert_path = Path(args.cert)
    if args.key_out is not None:
        key_path = Path(args.key_out)
        if key_path.resolve().is_relative_to(REPOSITORY):
            fail(f"--key-out {key_path}: inside the repository ({REPOSITORY}); a private key "
                 "must never be where it can be committed: write it to a temporary directory")
        if key_path.exists():
            fail(f"--key-out {key_path}: already exists; not overwriting a key")
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    subject = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, SUBJECT),
        x509.NameAttribute(NameOID.COMMON_NAME, SUBJECT),
    ])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=CERT_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=True,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    try:
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    except OSError as error:
        fail(f"--cert {cert_path}: cannot write the certificate: {error.strerror}")
    if args.key_out is not None:
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        try:
            # Created owner-only from the start, never briefly world-readable.
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
        except OSError as error:
            fail(f"--key-out {key_path}: cannot write the private key: {error.strerror}")
    print(f"seal: wrote {cert_path} (RSA-{KEY_BITS}, CN={SUBJECT}, {CERT_DAYS} days); "
          + (f"private key in {args.key_out}" if args.key_out else "private key discarded"),
          file=sys.stderr)


# --- seal --------------------------------------------------------------------


def load_public_key(path: str) -> rsa.RSAPublicKey:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        fail(f"--cert {path}: cannot read: {error.strerror}")
    try:
        cert = x509.load_pem_x509_certificate(data)
    except ValueError:
        fail(f"--cert {path}: not a PEM certificate (what `kubeseal --fetch-cert` prints)")
    if cert.not_valid_after_utc < datetime.datetime.now(datetime.timezone.utc):
        fail(f"--cert {path}: expired on {cert.not_valid_after_utc:%Y-%m-%d}; "
             "fetch the controller's current one")
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        fail(f"--cert {path}: its key is not RSA; sealed-secrets controllers use RSA keys")
    return key


def split_pair(option: str, text: str, separator: str) -> tuple[str, str | None]:
    key, found, value = text.partition(separator)
    if not SECRET_KEY.fullmatch(key):
        fail(f"{option} {shlex.quote(key)}{separator if found else ''}...: the key must be "
             "1 to 253 letters, digits, '-', '_' or '.'")
    return key, (value if found else None)


def gather_values(args: argparse.Namespace) -> dict[str, bytes]:
    values: dict[str, bytes] = {}

    def add(option: str, key: str, value: bytes) -> None:
        if key in values:
            fail(f"{option} {key}: the key {key} is given twice")
        values[key] = value

    for option, text in args.sources:
        if option == "--from-literal":
            key, value = split_pair(option, text, "=")
            if value is None:
                fail(f"--from-literal {key}: expected KEY=VALUE")
            add(option, key, value.encode())
        elif option == "--from-file":
            key, path = split_pair(option, text, "=")
            if not path:
                fail(f"--from-file {key}: expected KEY=PATH")
            try:
                add(option, key, Path(path).read_bytes())
            except OSError as error:
                fail(f"--from-file {key}={path}: cannot read: {error.strerror}")
        else:
            key, size = split_pair(option, text, ":")
            count = RANDOM_BYTES
            if size is not None:
                if not size.isdigit() or not 16 <= int(size) <= 4096:
                    fail(f"--random {key}:{size}: BYTES must be a number from 16 to 4096")
                count = int(size)
            # URL-safe so the value survives any config file or URL it lands in.
            add(option, key, secrets.token_urlsafe(count).encode())
    if not values:
        fail("nothing to seal: give --from-literal, --random or --from-file at least once")
    return values


def scalar(text: str) -> str:
    """A YAML scalar for `text`: plain when YAML reads it back as the same
    string, double-quoted (JSON is valid YAML) otherwise."""
    plain = re.fullmatch(r"[A-Za-z_/][A-Za-z0-9._/+=-]*", text) and text.lower() not in {
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    }
    return text if plain else json.dumps(text)


def metadata_lines(indent: str, name: str, namespace: str | None,
                   labels: dict[str, str], annotations: dict[str, str]) -> list[str]:
    lines = [f"{indent}name: {scalar(name)}"]
    if namespace is not None:
        lines.append(f"{indent}namespace: {scalar(namespace)}")
    for field, entries in (("labels", labels), ("annotations", annotations)):
        if entries:
            lines.append(f"{indent}{field}:")
            lines += [f"{indent}  {scalar(k)}: {scalar(v)}" for k, v in sorted(entries.items())]
    return lines


def header(args: argparse.Namespace) -> list[str]:
    """The command that made a SealedSecret, as comment lines, so that it can
    be sealed again the same way; literal values are left out, since the
    header is as public as the file."""
    pairs: list[tuple[str, ...]] = [("tools/seal", "seal", "--cert", args.cert)]
    if args.namespace is not None:
        pairs.append(("--namespace", args.namespace))
    pairs.append(("--name", args.name))
    if args.scope != "strict":
        pairs.append(("--scope", args.scope))
    if args.type != "Opaque":
        pairs.append(("--type", args.type))
    pairs += [("--label", pair) for pair in args.label]
    for option, text in args.sources:
        if option == "--from-literal":
            text = text.partition("=")[0] + "=..."
        pairs.append((option, text))

    # An option and its value stay on one line; lines end in ` \` so that
    # the command can be copied from the comment and run.
    lines: list[str] = []
    for pair in pairs:
        words = " ".join(shlex.quote(word) for word in pair)
        if lines and len(lines[-1]) + 1 + len(words) <= 72:
            lines[-1] += " " + words
        else:
            lines.append(words)
    continued = [line + " \\" for line in lines[:-1]] + lines[-1:]
    return ["# Sealed with tools/seal (kubeseal's format):"] + [
        "#   " + ("  " if index else "") + line for index, line in enumerate(continued)
    ]


def seal(args: argparse.Namespace) -> None:
    if args.namespace is None and args.scope != "cluster-wide":
        fail(f"--namespace is required for the {args.scope} scope (only cluster-wide "
             "values are sealed without one)")
    if args.namespace is not None and not DNS_LABEL.fullmatch(args.namespace):
        fail(f"--namespace {args.namespace}: not a valid namespace (a DNS-1123 label)")
    if not DNS_SUBDOMAIN.fullmatch(args.name):
        fail(f"--name {args.name}: not a valid Secret name (a DNS-1123 subdomain)")
    labels: dict[str, str] = {}
    for pair in args.label:
        key, found, value = pair.partition("=")
        if not found or not key:
            fail(f"--label {pair}: expected KEY=VALUE")
        labels[key] = value
    public_key = load_public_key(args.cert)
    values = gather_values(args)

    scope_label = label(args.scope, args.namespace or "", args.name)
    encrypted = {
        key: base64.b64encode(hybrid_encrypt(public_key, value, scope_label)).decode()
        for key, value in sorted(values.items())
    }
    # kubeseal annotates both the SealedSecret (the controller reads the scope
    # from there when unsealing) and the template (copied from the Secret).
    annotations = {}
    if args.scope == "namespace-wide":
        annotations[NAMESPACE_WIDE] = "true"
    elif args.scope == "cluster-wide":
        annotations[CLUSTER_WIDE] = "true"

    lines = [
        *header(args),
        "apiVersion: bitnami.com/v1alpha1",
        "kind: SealedSecret",
        "metadata:",
        *metadata_lines("  ", args.name, args.namespace, labels, annotations),
        "spec:",
        "  encryptedData:",
        *(f"    {key}: {value}" for key, value in encrypted.items()),
        "  template:",
        "    metadata:",
        *metadata_lines("      ", args.name, args.namespace, labels, annotations),
        f"    type: {scalar(args.type)}",
    ]
    sys.stdout.write("\n".join(lines) + "\n")


# --- unseal ------------------------------------------------------------------


def load_private_keys(paths: list[str]) -> list[rsa.RSAPrivateKey]:
    keys = []
    for path in paths:
        try:
            key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
        except OSError as error:
            fail(f"--key {path}: cannot read: {error.strerror}")
        except (ValueError, TypeError) as error:
            fail(f"--key {path}: not an unencrypted PEM private key ({error})")
        if not isinstance(key, rsa.RSAPrivateKey):
            fail(f"--key {path}: not an RSA private key")
        keys.append(key)
    return keys


def documents(path: str) -> list[dict[str, Any]]:
    # PyYAML is not in the venv; Helm's YAML parser (helm-python-sdk, already
    # pinned for tools/helm) reads one document at a time.
    import helm_python as helm

    try:
        text = Path(path).read_text()
    except OSError as error:
        fail(f"{path}: cannot read: {error.strerror}")
    parsed = []
    for index, document in enumerate(re.split(r"(?m)^---[ \t]*$", text)):
        if not document.strip() or all(line.lstrip().startswith("#") or not line.strip()
                                       for line in document.splitlines()):
            continue
        try:
            value = helm.values_from_yaml(document)
        except helm.HelmError as error:
            fail(f"{path}: document {index + 1} is not valid YAML: {error}")
        if value:
            parsed.append(value)
    return parsed


def unseal_one(path: str, sealed: dict[str, Any], keys: list[rsa.RSAPrivateKey]) -> dict[str, Any]:
    metadata = sealed.get("metadata") or {}
    name, namespace = metadata.get("name"), metadata.get("namespace") or ""
    where = f"{path}: SealedSecret {namespace}/{name}"
    annotations = metadata.get("annotations") or {}
    # The controller takes the scope from the SealedSecret's own annotations.
    scope = ("cluster-wide" if annotations.get(CLUSTER_WIDE) == "true"
             else "namespace-wide" if annotations.get(NAMESPACE_WIDE) == "true"
             else "strict")
    scope_label = label(scope, namespace, name or "")
    spec = sealed.get("spec") or {}
    encrypted = spec.get("encryptedData")
    if not isinstance(encrypted, dict) or not encrypted:
        fail(f"{where}: no spec.encryptedData to unseal")

    data = {}
    for key, value in encrypted.items():
        try:
            ciphertext = base64.b64decode(str(value), validate=True)
        except ValueError:
            fail(f"{where}: encryptedData.{key} is not standard base64")
        for private_key in keys:
            try:
                plaintext = hybrid_decrypt(private_key, ciphertext, scope_label)
                break
            except ValueError:
                continue
        else:
            fail(f"{where}: encryptedData.{key} does not decrypt with the given key(s) under the "
                 f"{scope} label {scope_label.decode()!r}: sealed for another key, or for another "
                 "namespace/name or scope")
        data[key] = base64.b64encode(plaintext).decode()

    template = spec.get("template") or {}
    secret_metadata = dict(template.get("metadata") or {})
    secret_metadata["name"] = name
    if namespace:
        secret_metadata["namespace"] = namespace
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": secret_metadata,
        "type": template.get("type") or "Opaque",
        "data": data,
    }


def unseal(args: argparse.Namespace) -> None:
    keys = load_private_keys(args.key)
    secrets_out = [
        unseal_one(args.file, document, keys)
        for document in documents(args.file)
        if document.get("kind") == "SealedSecret"
    ]
    if not secrets_out:
        fail(f"{args.file}: holds no SealedSecret")
    # kubeseal --recovery-unseal prints JSON, one object per Secret.
    for secret in secrets_out:
        print(json.dumps(secret, indent=2))


# --- command line --------------------------------------------------------------


class Source(argparse.Action):
    """Keeps --from-literal, --random and --from-file in one ordered list."""

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[no-untyped-def]
        namespace.sources.append((option_string, values))


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="tools/seal",
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)

    making = commands.add_parser(
        "new-cert", help="make a self-signed sealing certificate like the controller's",
        description=f"Make a self-signed RSA-{KEY_BITS} certificate (CN=O={SUBJECT}, "
                    f"{CERT_DAYS} days), as the sealed-secrets controller does. The private "
                    "key is discarded unless --key-out is given.")
    making.add_argument("--cert", required=True, metavar="PATH", help="where to write the certificate (PEM)")
    making.add_argument("--key-out", metavar="PATH",
                        help="also write the private key (PEM, mode 0600); for tests only, never "
                             "inside the repository")
    making.set_defaults(run=new_cert)

    sealing = commands.add_parser(
        "seal", help="print a SealedSecret (YAML) for the given values",
        description="Seal values for one Secret and print the SealedSecret as YAML, keys in "
                    "sorted order. Values are never printed, and literal values are left out of "
                    "the header comment.")
    sealing.add_argument("--cert", required=True, metavar="PATH",
                         help="the controller's public certificate (`kubeseal --fetch-cert`)")
    sealing.add_argument("--namespace", "-n", metavar="NS", help="the Secret's namespace")
    sealing.add_argument("--name", required=True, help="the Secret's name")
    sealing.add_argument("--scope", choices=SCOPES, default="strict",
                         help="what the values are bound to: NS/NAME (strict, default), NS "
                              "(namespace-wide) or nothing (cluster-wide)")
    sealing.add_argument("--type", default="Opaque", help="the Secret's type (default Opaque)")
    sealing.add_argument("--label", action="append", default=[], metavar="K=V",
                         help="a label on the SealedSecret and on the Secret it makes")
    sealing.set_defaults(sources=[])
    sealing.add_argument("--from-literal", action=Source, metavar="K=V", help="a value given as is")
    sealing.add_argument("--random", action=Source, metavar="K[:BYTES]",
                         help=f"a random value from BYTES random bytes (default {RANDOM_BYTES}), "
                              "URL-safe base64, never printed")
    sealing.add_argument("--from-file", action=Source, metavar="K=PATH", help="a file's bytes")
    sealing.set_defaults(run=seal)

    opening = commands.add_parser(
        "unseal", help="decrypt a SealedSecret with private keys (tests, recovery)",
        description="Decrypt every SealedSecret in FILE with the private key(s), as "
                    "`kubeseal --recovery-unseal` does, and print the Secrets as JSON. This "
                    "prints the values: use it in tests and recovery only.")
    opening.add_argument("--key", required=True, action="append", metavar="PATH",
                         help="a private key (PEM); repeat to try several")
    opening.add_argument("file", metavar="FILE")
    opening.set_defaults(run=unseal)

    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
