"""PDFium's fonts come from tongbao, never from the machine: one CJK font shipped as a dependency.

Most government PDFs leave 宋体 / 仿宋_GB2312 out of the file. PDFium then draws and measures such
text with whatever the system has, and with no CJK font its glyphs have empty boxes: pages render
blank, and its text page drops repeated characters as duplicates (市交通运输局 wrapped over two lines
loses its 局). So PDFium is given a font lookup of its own: every font a PDF does not embed, but for
the standard 14 (which PDFium has built in), is Noto Sans CJK from the `cvttf-notosanscjk-regular`
package. The same bulletin then reads and renders the same on every machine, whatever it has installed.
"""
from __future__ import annotations

import ctypes
import mmap
import threading

SYMBOL_CHARSET = 2  # PDFium's FX_Charset::kSymbol: symbol fonts stay PDFium's own
GB2312_CHARSET = 134  # FX_Charset::kChineseSimplified: the bundled font's script
# families of the standard 14 fonts and the names PDFium takes for them: its built-in fonts draw these
STANDARD_FAMILIES = ("courier", "helvetica", "times", "symbol", "zapfdingbats", "arial", "timesnewroman")
FACE_NAME = b"TongbaoBundledCJK\0"
HANDLE = 1  # the one font this lookup hands out
FONT_PACKAGE = "cvttf-notosanscjk-regular"
MISSING_FONT_REASON = (f"tongbao's CJK font (pip package {FONT_PACKAGE}) is not installed, so this PDF would read "
                       "differently on machines with different fonts; reinstall tongbao with its dependencies")
_state: dict = {}
_lock = threading.Lock()


def bundled_font_path() -> str | None:
    """Path of the CJK font tongbao ships, or None when its package is missing."""
    try:
        import cvttf_NotoSansCJK_Regular as package
        return package.get_TTF_path()
    except (ImportError, FileNotFoundError):
        return None


def _font_bytes():
    """The bundled font mapped once per process (PDFium asks for it again with each document it
    opens): a private copy-on-write map, so ctypes can take its address and nothing is read twice."""
    if "map" not in _state:
        with open(bundled_font_path(), "rb") as fh:
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_COPY)
        _state["map"] = mapped
        _state["view"] = (ctypes.c_char * len(mapped)).from_buffer(mapped)
    return _state["view"]


def _standard(face: bytes | None) -> bool:
    name = (face or b"").decode("latin-1").split("+")[-1].replace(" ", "").replace("-", "").replace(",", "").lower()
    return name.startswith(STANDARD_FAMILIES)


def _copy(data, buffer, size: int) -> int:
    """Copy `data` (bytes or a ctypes array) into PDFium's buffer when it is large enough; its length."""
    if buffer and size >= len(data):
        ctypes.memmove(buffer, data, len(data))
    return len(data)


def _map_font(_, weight, italic, charset, pitch, face, exact):
    name = ctypes.cast(face, ctypes.c_char_p).value if face else b""
    return None if charset == SYMBOL_CHARSET or _standard(name) else HANDLE


def _get_font_data(_, handle, table, buffer, size):
    return _copy(_font_bytes(), buffer, size) if handle == HANDLE and table == 0 else 0


def _get_face_name(_, handle, buffer, size):
    return _copy(FACE_NAME, buffer, size)


CALLBACKS = {  # FPDF_SYSFONTINFO's entries (fpdf_sysfontinfo.h): only the bundled font is ever offered
    "Release": lambda _: None,
    "EnumFonts": lambda _, mapper: None,  # nothing is installed: PDFium asks MapFont for each font
    "MapFont": _map_font,
    "GetFont": lambda _, face: None,
    "GetFontData": _get_font_data,
    "GetFaceName": _get_face_name,
    "GetFontCharset": lambda _, handle: GB2312_CHARSET,
    "DeleteFont": lambda _, handle: None,
}


def use_bundled_fonts() -> bool:
    """Install the lookup once per process, before PDFium opens a file; False (PDFium left as it
    is) when the font package is missing."""
    with _lock:
        if "installed" in _state:
            return _state["installed"]
        if bundled_font_path() is None:
            _state["installed"] = False
            return False
        import pypdfium2.raw as pdfium_c

        info = pdfium_c.FPDF_SYSFONTINFO()
        info.version = 1
        types = dict(info._fields_)
        for name, function in CALLBACKS.items():
            setattr(info, name, types[name](function))
        pdfium_c.FPDF_SetSystemFontInfo(ctypes.byref(info))
        _state["info"] = info  # PDFium keeps the pointer: the struct and its callbacks must live on
        _state["installed"] = True
        return True


def keep_until_next(document) -> None:
    """Close the document kept before and keep this one open until the next comes (the caller holds
    PDFIUM_LOCK). PDFium frees a font face when the last document using it closes; the bundled font
    would then be copied and parsed again for every file of a batch."""
    previous = _state.get("kept")
    _state["kept"] = document
    if previous is not None:
        previous.close()
