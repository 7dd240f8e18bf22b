"""Long imports started from the web page run beside the request, and report progress on their batch.

The upload is written to the data directory, a batch is created (so the page can poll it), and a
thread reads and stores the file through the same ``run_import`` as the commands. The uploaded
file is deleted when the import ends: CTDC's terms forbid keeping its files, and nothing needs
them once the aggregates are stored. ``STATISTICS_IMPORTS_INLINE=True`` runs it in the request
(tests; a deployment without threads).
"""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import close_old_connections, connection

from corett.statistics.importers.common import new_batch, run_import
from corett.statistics.importers.ctdc import read_ctdc
from corett.statistics.importers.glotip import read_glotip
from corett.statistics.models import Batch, Source

READERS = {Source.GLOTIP: read_glotip, Source.CTDC: read_ctdc}


def upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "statistics-uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def start_import(*, actor: Any, source: str, upload: UploadedFile) -> Batch:
    # openpyxl goes by the file's extension: give the stored upload the one its source uses.
    suffix = ".xlsx" if source == Source.GLOTIP else ".csv"
    target = upload_dir() / f"{uuid.uuid4().hex}{suffix}"
    with target.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    batch = new_batch(source=source, actor=actor, file_name=upload.name or target.name)
    if getattr(settings, "STATISTICS_IMPORTS_INLINE", False):
        _run(batch.pk, source, target, actor)
        batch.refresh_from_db()
    else:
        threading.Thread(target=_run_in_thread, args=(batch.pk, source, target, actor), daemon=True).start()
    return batch


def _run(batch_id: int, source: str, path: Path, actor: Any) -> None:
    try:
        batch = Batch.objects.get(pk=batch_id)
        run_import(reader=READERS[source], source=source, path=path, actor=actor, batch=batch,  # type: ignore[index]
                   file_name=batch.file_name)
    finally:
        path.unlink(missing_ok=True)


def _run_in_thread(batch_id: int, source: str, path: Path, actor: Any) -> None:
    close_old_connections()
    try:
        _run(batch_id, source, path, actor)
    except Exception:
        Batch.objects.filter(pk=batch_id).update(state=Batch.State.FAILED, errors=["internal error"])
        raise
    finally:
        connection.close()
