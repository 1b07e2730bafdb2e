"""tongbao: Chinese government-service bulletins (通报) → one cross-city dataset, with an audit of their numbers."""
from . import extract as _extract_package  # noqa: F401 - loaded first, so `tongbao.extract` below stays the function

__all__ = ["extract", "run_batch", "convert_batch"]
__version__ = "0.1.0"


def extract(paths, **kwargs):
    """The published tables for some files or folders, as pandas DataFrames (pipeline.extract)."""
    from .pipeline import extract as _extract

    return _extract(paths, **kwargs)


def __getattr__(name: str):
    """The rest of the API, imported when first used: `import tongbao.cli` (or a worker) does not pay
    for pandas first."""
    if name in ("run_batch", "convert_batch"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'tongbao' has no attribute {name!r}")
