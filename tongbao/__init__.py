"""tongbao: Chinese government-service bulletins (通报) → one cross-city dataset, with an audit of their numbers."""

__all__ = ["extract", "run_batch", "convert_batch"]
__version__ = "0.1.0"


def __getattr__(name: str):
    """The API, imported when first used: `import tongbao.cli` (or a worker) does not pay for pandas first."""
    if name in __all__:
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'tongbao' has no attribute {name!r}")
