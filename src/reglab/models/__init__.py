"""Model families trained by the engine; each holds M members with a leading dimension."""

from reglab.models.mlp import DropoutPlan, DropoutSite, PackedMLP, with_tensors

__all__ = ["DropoutPlan", "DropoutSite", "PackedMLP", "with_tensors"]
