"""Workbooks uploaded in the admin: checked, then kept under the instance folder.

An upload becomes the office's linked workbook: phoihop syncs it in place and the office
downloads it back from the list of links. Only an ``.xlsx`` package within the size limit
that the reader can open is kept; anything else is refused with one Vietnamese sentence.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

from werkzeug.utils import secure_filename

from sheets.backend import BackendError

ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip package; an old .xls or a .csv renamed is not


class UploadError(Exception):
    """The upload is refused; the message says why, in Vietnamese."""


def upload_folder(app) -> Path:
    """``UPLOAD_DIR``, or ``workbooks/`` in the app's instance folder; made if missing."""
    folder = Path(app.config.get("UPLOAD_DIR") or os.path.join(app.instance_path, "workbooks")).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_upload(upload, folder, max_mb) -> Path:
    """Check ``upload`` (a werkzeug ``FileStorage``) and keep it in ``folder`` under a new
    name; return its path."""
    from sheets.xlsx import XlsxBackend

    name = (upload.filename or "").strip() if upload is not None else ""
    if not name:
        raise UploadError("Chưa chọn tệp: hãy chọn một tệp Excel .xlsx.")
    if not name.lower().endswith(".xlsx"):
        raise UploadError(f'Tệp "{name}" không phải tệp Excel .xlsx: hãy lưu bảng tính dạng '
                          "Excel Workbook (.xlsx) rồi tải lên lại.")
    limit = int(float(max_mb) * 1024 * 1024)
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise UploadError(f'Tệp "{name}" lớn hơn {max_mb} MB, giới hạn cho một tệp tải lên.')
    if not data.startswith(ZIP_MAGIC):
        raise UploadError(f'Tệp "{name}" không phải tệp Excel .xlsx hợp lệ (có thể là tệp .xls cũ hoặc tệp khác '
                          "được đổi tên): hãy mở bằng Excel và lưu lại dạng .xlsx.")
    stem = secure_filename(Path(name).stem)[:60] or "bang-tinh"
    target = Path(folder) / f"{stem}-{uuid.uuid4().hex[:8]}.xlsx"
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    try:
        XlsxBackend(partial).worksheets()  # a broken package: the reader's own sentence
    except BackendError as exc:
        partial.unlink()
        raise UploadError(str(exc).replace(str(partial), name)) from exc
    partial.replace(target)
    return target


def is_upload(source, folder) -> bool:
    """Whether ``source`` is a workbook kept in the upload folder."""
    try:
        return Path(source).resolve().parent == Path(folder).resolve()
    except (OSError, ValueError):
        return False
