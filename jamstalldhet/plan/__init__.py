"""A wing: the handlingsplan: goals, targets, per-year status and its view (model), the board's follow-up file
(followup) and the follow-up texts (narrative). Never imports payments or resources.
"""

__all__ = ["followup", "model", "narrative"]
