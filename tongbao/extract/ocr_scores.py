"""OCR'd cells whose recognition score is low are not sure: marked `unsure`, with one
`extraction_unsure` warning per table naming them, so no check takes a doubtful reading for the
document's own number."""
from __future__ import annotations

from ..model import Finding, Table

MIN_SURE_SCORE = 0.9  # the recogniser's score below which a cell's reading is doubtful
LISTED = 5  # cells named in the finding's message


def mark_low_scores(table: Table) -> list[Finding]:
    """Mark every cell scored below MIN_SURE_SCORE unsure; a warning for the table when any is."""
    low = [c for r in table.rows for c in r if c.ocr_score is not None and c.ocr_score < MIN_SURE_SCORE and c.text]
    if not low:
        return []
    for c in low:
        c.unsure = True
    named = "、".join(f"第 {c.row + 1} 行「{c.row_label}」「{c.header_path}」{c.text}" for c in low[:LISTED])
    more = f" 等 {len(low)} 格" if len(low) > LISTED else ""
    return [Finding(
        doc_id=table.doc_id, check="extraction_unsure", severity="warning",
        message=(f"表「{table.title or table.table_id}」: 文字识别置信度低于 {MIN_SURE_SCORE:g} 的单元格"
                 f"（{named}{more}）标为不确定，请对照页面图像核对"),
        locations=[c.location(table.table_id) for c in low[:20]],
    )]
