"""RapidOCR (PP-OCR detection, orientation and recognition models run by onnxruntime) as tongbao's
OCR engine: text lines with their boxes, characters and recognition scores.

The models ship inside the `rapidocr` wheel and are named by path, so nothing is ever downloaded
(RapidOCR would fetch a model whose path it is not given). This module is the only one that knows
RapidOCR's interface; the rest of tongbao sees `TextLine` and `Char`.

Detection runs on the page scaled to DET_MAX_SIDE (what the detector was trained near, and about ten
times cheaper than the full page); recognition reads each line's crop at the recogniser's height
(48 px) from the full-resolution image, with batches padded only to their widest crop.
"""
from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .geometry import PixelBox

ENGINE = "rapidocr"
DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"
DET_MAX_SIDE = 1280  # pixels: the longest side the detector sees (a 200-dpi A4 page is 2339 px)
DET_BOX_THRESHOLD = 0.5
REC_HEIGHT = 48  # the recogniser's input height
REC_MIN_WIDTH = 48  # pad a batch only to its widest crop, not to RapidOCR's default 320 px (4x faster on tables)
REC_BATCH = 8
UPSIDE_DOWN_MIN_SCORE = 0.9  # the orientation model's confidence for a line to count as turned over
ORIENTATION_SAMPLE = 40  # lines sampled to decide whether a page is upside down
THREADS_ENV = "TONGBAO_OCR_THREADS"  # onnxruntime threads per model call (default: cores / page workers)


@dataclass
class Read(PixelBox):
    """Text the recogniser read, its score (0-1) and its box in image pixels."""

    text: str
    score: float
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class Char(Read):
    """One recognised character (or Latin word)."""


@dataclass
class TextLine(Read):
    """A detected text line, with its characters."""

    chars: list[Char] = field(default_factory=list)


def _package_dir() -> Path | None:
    try:
        import rapidocr
    except ImportError:
        return None
    return Path(rapidocr.__file__).resolve().parent / "models"


def model_paths() -> dict[str, Path] | None:
    """The wheel's own model files, or None when the package or a model is missing."""
    root = _package_dir()
    if root is None:
        return None
    paths = {"det": root / DET_MODEL, "rec": root / REC_MODEL, "cls": root / CLS_MODEL}
    return paths if all(p.exists() for p in paths.values()) else None


@functools.lru_cache(maxsize=1)
def available() -> bool:
    """rapidocr, onnxruntime and the three models are installed."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return model_paths() is not None


def version() -> str:
    try:
        from importlib.metadata import version as v
        return f"RapidOCR {v('rapidocr')} (PP-OCRv6 det/rec small, onnxruntime {v('onnxruntime')})"
    except Exception:  # metadata missing in an odd install
        return ENGINE


def threads(page_workers: int) -> int:
    """onnxruntime threads per call: the cores shared out among the pages read at once."""
    env = os.environ.get(THREADS_ENV, "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, (os.cpu_count() or 1) // max(1, page_workers))


_engines: dict[int, object] = {}
_engines_lock = threading.Lock()


def _engine(n_threads: int):
    """One RapidOCR object per thread count, per process; its models load on first use."""
    with _engines_lock:
        if n_threads not in _engines:
            from rapidocr import RapidOCR

            paths = model_paths()
            if paths is None:
                raise RuntimeError("RapidOCR models missing")
            params = {
                "Global.log_level": "error",
                "Det.model_path": str(paths["det"]), "Rec.model_path": str(paths["rec"]),
                "Cls.model_path": str(paths["cls"]),
                "Det.limit_side_len": DET_MAX_SIDE, "Det.limit_type": "max", "Det.box_thresh": DET_BOX_THRESHOLD,
                "Rec.rec_img_shape": [3, REC_HEIGHT, REC_MIN_WIDTH], "Rec.rec_batch_num": REC_BATCH,
                "EngineConfig.onnxruntime.intra_op_num_threads": n_threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
            _engines[n_threads] = RapidOCR(params=params)
        return _engines[n_threads]


def _bgr(image: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image


class Reader:
    """Detection, orientation and recognition for the pages of one file (thread-safe)."""

    def __init__(self, page_workers: int = 1) -> None:
        self.ocr = _engine(threads(page_workers))

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        """Quadrilaterals (4 × 2, pixels) of the text lines in `image`, top to bottom."""
        det = self.ocr._load_det_model()(_bgr(image))
        if det.boxes is None:
            return []
        return sorted((np.asarray(b, np.float32) for b in det.boxes), key=lambda b: (b[:, 1].min(), b[:, 0].min()))

    def crops(self, image: np.ndarray, boxes: list[np.ndarray]) -> list[np.ndarray]:
        from rapidocr.utils.process_img import get_rotate_crop_image

        bgr = _bgr(image)
        return [get_rotate_crop_image(bgr, b.copy()) for b in boxes]

    def upside_down_share(self, image: np.ndarray, boxes: list[np.ndarray]) -> float:
        """Share of (the widest) lines the orientation model is sure are turned by 180°."""
        wide = sorted(boxes, key=lambda b: -(b[:, 0].max() - b[:, 0].min()))[:ORIENTATION_SAMPLE]
        crops = [c for c in self.crops(image, wide) if c.size]
        if not crops:
            return 0.0
        res = self.ocr._load_cls_model()(crops).cls_res or []
        return sum(1 for label, score in res if label == "180" and score >= UPSIDE_DOWN_MIN_SCORE) / len(crops)

    def recognise(self, image: np.ndarray, boxes: list[np.ndarray]) -> list[TextLine]:
        """Each box of `image` read as a line, with its characters placed on the page."""
        from rapidocr.cal_rec_boxes import CalRecBoxes
        from rapidocr.ch_ppocr_rec import TextRecInput

        pairs = [(b, c) for b, c in zip(boxes, self.crops(image, boxes)) if c.size and min(c.shape[:2]) >= 2]
        if not pairs:
            return []
        boxes, crops = [p[0] for p in pairs], [p[1] for p in pairs]
        rec = self.ocr._load_rec_model()(TextRecInput(img=crops, return_word_box=True))
        texts, scores = list(rec.txts), list(rec.scores)
        rec = CalRecBoxes()(crops, np.array(boxes), rec, True)
        words = list(rec.word_results) if len(rec.word_results or ()) == len(boxes) else [()] * len(boxes)
        out = []
        for box, text, score, word in zip(boxes, texts, scores, words):
            if not text.strip():
                continue
            chars = []
            for item in word or ():
                ch, conf, quad = item
                if quad is None or not str(ch).strip():
                    continue
                q = np.asarray(quad, np.float32)
                chars.append(Char(str(ch), float(conf), float(q[:, 0].min()), float(q[:, 1].min()),
                                  float(q[:, 0].max()), float(q[:, 1].max())))
            out.append(TextLine(text, float(score), float(box[:, 0].min()), float(box[:, 1].min()),
                                float(box[:, 0].max()), float(box[:, 1].max()), chars))
        return out

    def read_crops(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Each crop read as one line, without detection: (text, score)."""
        from rapidocr.ch_ppocr_rec import TextRecInput

        keep = [i for i, c in enumerate(crops) if c is not None and c.size and min(c.shape[:2]) >= 2]
        out: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        if keep:
            rec = self.ocr._load_rec_model()(TextRecInput(img=[_bgr(crops[i]) for i in keep]))
            for i, text, score in zip(keep, rec.txts, rec.scores):
                out[i] = (text, float(score))
        return out
