"""Small hostile files built in the tests (never anything big: limits are set small instead)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def document_xml(body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}">'
            f"<w:body>{body}</w:body></w:document>").encode()


def paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def docx_bytes(xml: bytes, *, compression: int = zipfile.ZIP_DEFLATED,
               flag_bits: int = 0) -> bytes:
    """A minimal .docx: a content-types part and ``word/document.xml`` holding ``xml``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        info = zipfile.ZipInfo("word/document.xml")
        info.compress_type = compression
        archive.writestr(info, xml)
    data = bytearray(buffer.getvalue())
    if flag_bits:
        data = _patch_headers(data, "word/document.xml", flags=flag_bits)
    return bytes(data)


def with_compression_method(data: bytes, name: str, method: int) -> bytes:
    """Claim another compression method (e.g. 9, deflate64) for one member."""
    return bytes(_patch_headers(bytearray(data), name, method=method))


def _patch_headers(data: bytearray, name: str, *, flags: int | None = None,
                   method: int | None = None) -> bytearray:
    encoded = name.encode()
    for signature, flag_at, method_at, name_len_at, name_at in (
            (b"PK\x03\x04", 6, 8, 26, 30), (b"PK\x01\x02", 8, 10, 28, 46)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            start = at + 4
            length = struct.unpack_from("<H", data, at + name_len_at)[0]
            if bytes(data[at + name_at:at + name_at + length]) != encoded:
                continue
            if flags is not None:
                struct.pack_into("<H", data, at + flag_at, flags)
            if method is not None:
                struct.pack_into("<H", data, at + method_at, method)
    return data


def corrupt_crc(data: bytes, marker: bytes) -> bytes:
    """Flip one byte of a stored member's content (its CRC no longer matches)."""
    at = data.index(marker)
    return data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1:]


def pdf_with_stream(content: bytes, *, pages: int = 1) -> bytes:
    """A PDF of ``pages`` pages sharing one Flate-compressed content stream ``content``."""
    stream = zlib.compress(content, 9)
    kids = " ".join(f"{4 + n} 0 R" for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        b"<< /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n"
        + stream + b"\nendstream",
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
                b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 "
                b"/BaseFont /Helvetica >> >> >> >>" for _ in range(pages)]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
            "%%EOF\n").encode()
    return bytes(out)


def text_stream(text: str) -> bytes:
    return f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
