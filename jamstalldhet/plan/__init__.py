"""A wing: the handlingsplan: goals, targets, per-year status and its view (model), the board's follow-up file
(followup), the follow-up texts (narrative) and the plan at a glance (chart). Never imports payments or resources.
"""

__all__ = ["chart", "followup", "model", "narrative"]
