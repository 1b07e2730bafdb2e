"""tongbao: Chinese government-service bulletins (通报) → one cross-city dataset, with an audit of their numbers."""
from .pipeline import extract, run_batch

__all__ = ["extract", "run_batch"]
__version__ = "0.1.0"
