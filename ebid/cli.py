"""`ebid`: the bidder's command line for sealing key pairs, envelopes and receipts.

Every failure the bidder can cause (a wrong passphrase, a damaged envelope, a forged receipt) is printed
as one line and exits 1; usage mistakes exit 2 (argparse). Passphrases come from --passphrase-file, the
EBID_PASSPHRASE environment variable, or a prompt, never from the command line (it shows in `ps`).
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from ebid.canonical import canonical_json
from ebid.commitments import salt_for, verify_commitment
from ebid.errors import EbidError, KeyFileError, Malformed
from ebid.header import DEFAULT_CHUNK, SUMMARY_NAME, Binding, read_header
from ebid.keys import fingerprint, keygen, load_private_key, load_public_key
from ebid.receipt import verify_receipt
from ebid.seal import seal
from ebid.unseal import read_summary, unseal_to_directory, unwrap_data_key


def _passphrase(args, *, confirm: bool = False) -> bytes:
    if args.passphrase_file:
        return Path(args.passphrase_file).read_bytes().rstrip(b"\r\n")
    if "EBID_PASSPHRASE" in os.environ:
        return os.environ["EBID_PASSPHRASE"].encode("utf-8")
    first = getpass.getpass("Passphrase: ").encode("utf-8")
    if confirm and getpass.getpass("Passphrase again: ").encode("utf-8") != first:
        raise KeyFileError("the two passphrases differ")
    return first


def _write_new(path: Path, data: bytes, mode: int = 0o644) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def cmd_keygen(args) -> None:
    private_pem, public_pem = keygen(_passphrase(args, confirm=True))
    _write_new(Path(args.private), private_pem, 0o600)
    _write_new(Path(args.public), public_pem)
    print(f"private key (keep it, with its passphrase): {args.private}")
    print(f"public key (register it on the platform as a sealing key): {args.public}")
    print(f"fingerprint: {fingerprint(load_public_key(public_pem))}")


def cmd_seal(args) -> None:
    try:
        summary = json.loads(Path(args.summary).read_bytes().decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise Malformed(f"{args.summary} is not UTF-8 JSON") from None
    recipients = [load_public_key(Path(p).read_bytes()) for p in args.recipient]
    binding = Binding(tender_id=args.tender_id, tender_reference=args.tender_reference, lot_id=args.lot_id,
                      bidder_id=args.bidder_id, bidder_credit_code=args.credit_code)
    out = Path(args.output)
    salts_path = Path(args.salts or f"{args.output}.salts")
    partial = out.with_name(f".{out.name}.partial")
    try:
        with contextlib.ExitStack() as stack:
            files = [(Path(f).name, stack.enter_context(open(f, "rb"))) for f in args.files]
            sink = stack.enter_context(open(partial, "wb"))
            result = seal(binding=binding, summary=summary, files=files, recipients=recipients, out=sink,
                          chunk_size=args.chunk_size)
        _write_new(salts_path, canonical_json(result.salts_document()) + b"\n", 0o600)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    print(f"envelope: {out} ({result.envelope_size} bytes, header hash {result.header.header_hash.hex()})")
    print(f"salts (keep them with a copy of your files, for the opening-day fallback): {salts_path}")


def cmd_inspect(args) -> None:
    with open(args.envelope, "rb") as handle:
        header = read_header(handle)
    print(json.dumps(header.describe(), ensure_ascii=False, indent=2))


def cmd_unseal(args) -> None:
    key = load_private_key(Path(args.key).read_bytes(), _passphrase(args))
    salts = json.loads(Path(args.salts).read_text("utf-8")) if args.salts else None
    with open(args.envelope, "rb") as handle:
        result = unseal_to_directory(handle, key, Path(args.output), salts=salts)
    for path in result.paths:
        print(path)
    if salts is not None:
        print("every part matches its commitment")


def cmd_data_key(args) -> None:
    """At opening: unwrap the envelope's data key with the private key and print it in base64, to release
    it to the platform (the hall page does the same in the browser). Only the data key leaves the machine."""
    import base64

    private_key = load_private_key(Path(args.key).read_bytes(), _passphrase(args))
    with open(args.envelope, "rb") as fh:
        header = read_header(fh)
        data_key = unwrap_data_key(header, private_key)
        read_summary(fh, header, data_key)  # the key opens the summary, as the platform will check
    print(base64.b64encode(data_key).decode("ascii"))


def cmd_verify_commitment(args) -> None:
    with open(args.envelope, "rb") as handle:
        header = read_header(handle)
    wanted = args.part if args.part is not None else Path(args.plaintext).name
    matches = [p for p in header.parts if str(p.index) == wanted or p.name == wanted]
    if not matches:
        raise Malformed(f"the envelope has no part {wanted!r} (parts: "
                        f"{', '.join(f'{p.index}={p.name}' for p in header.parts)}); name it with --part")
    part = matches[0]
    if args.salt:
        try:
            salt = bytes.fromhex(args.salt)
        except ValueError:
            raise Malformed("--salt is 64 hex digits") from None
    elif args.salts:
        salt = salt_for(json.loads(Path(args.salts).read_text("utf-8")), header, part)
    else:
        raise Malformed("give the salt with --salts FILE or --salt HEX")
    with open(args.plaintext, "rb") as handle:
        verify_commitment(header, part, salt, handle)
    print(f"part {part.index} ({part.name}) matches the commitment sealed in the envelope")


def cmd_verify_receipt(args) -> None:
    try:
        document = json.loads(Path(args.receipt).read_text("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise EbidError(f"{args.receipt} is not a JSON receipt") from None
    try:
        key = serialization.load_pem_public_key(Path(args.platform_key).read_bytes())
    except ValueError:
        raise KeyFileError(f"{args.platform_key} is not a PEM public key") from None
    if args.envelope:
        with open(args.envelope, "rb") as handle:
            receipt = verify_receipt(document, key, handle)
    else:
        receipt = verify_receipt(document, key)
    print(f"receipt valid: bid {receipt['bid']['id']}, lot {receipt['lot']['id']}, received "
          f"{receipt['received_at']}, envelope SHA-256 {receipt['envelope']['sha256']}"
          + (" (matches the envelope given)" if args.envelope else ""))


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="ebid", description="Seal and open bids in the platform's envelope format.")
    sub = root.add_subparsers(dest="command", required=True)

    def with_passphrase(p):
        p.add_argument("--passphrase-file", help="read the passphrase from this file (else $EBID_PASSPHRASE, "
                                                 "else a prompt)")
        return p

    p = with_passphrase(sub.add_parser("keygen", help="make a P-256 sealing key pair"))
    p.add_argument("--private", required=True, help="where to write the encrypted private key (PEM)")
    p.add_argument("--public", required=True, help="where to write the public key to register (PEM)")
    p.set_defaults(run=cmd_keygen)

    p = sub.add_parser("seal", help="seal a bid summary and files into an envelope")
    p.add_argument("--tender-id", type=int, required=True)
    p.add_argument("--tender-reference", required=True)
    p.add_argument("--lot-id", type=int, required=True)
    p.add_argument("--bidder-id", type=int, required=True)
    p.add_argument("--credit-code", required=True, help="the bidder's unified social credit code")
    p.add_argument("--summary", required=True, help=f"JSON object of the items read out at opening "
                                                    f"(sealed as {SUMMARY_NAME})")
    p.add_argument("--recipient", action="append", required=True, help="a registered sealing public key (PEM); "
                                                                        "repeat for a backup key")
    p.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK)
    p.add_argument("-o", "--output", required=True, help="the envelope file to write")
    p.add_argument("--salts", help="where to write the salts (default: OUTPUT.salts)")
    p.add_argument("files", nargs="*", help="bid files")
    p.set_defaults(run=cmd_seal)

    p = sub.add_parser("inspect", help="print an envelope's header")
    p.add_argument("envelope")
    p.set_defaults(run=cmd_inspect)

    p = with_passphrase(sub.add_parser("unseal", help="open an envelope with your private key"))
    p.add_argument("envelope")
    p.add_argument("--key", required=True, help="your encrypted private key (PEM)")
    p.add_argument("-o", "--output", required=True, help="folder to write the summary and files into")
    p.add_argument("--salts", help="also check every part against its commitment")
    p.set_defaults(run=cmd_unseal)

    p = with_passphrase(sub.add_parser("data-key", help="print the envelope's data key (base64), to release it "
                                                          "at opening"))
    p.add_argument("envelope")
    p.add_argument("--key", required=True, help="your encrypted private key (PEM)")
    p.set_defaults(run=cmd_data_key)

    p = sub.add_parser("verify-commitment", help="check a plaintext backup and salt against an envelope")
    p.add_argument("envelope")
    p.add_argument("plaintext")
    p.add_argument("--part", help="part index or name (default: the plaintext's file name)")
    p.add_argument("--salts", help="the .salts file written when sealing")
    p.add_argument("--salt", help="the part's salt, 64 hex digits")
    p.set_defaults(run=cmd_verify_commitment)

    p = sub.add_parser("verify-receipt", help="verify a platform-signed submission receipt offline")
    p.add_argument("receipt")
    p.add_argument("--platform-key", required=True, help="the platform's published receipt public key (PEM)")
    p.add_argument("--envelope", help="also check the receipt names this envelope (SHA-256 and size)")
    p.set_defaults(run=cmd_verify_receipt)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except (EbidError, OSError, ValueError, TypeError) as exc:
        print(f"ebid: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
