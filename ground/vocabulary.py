"""The words every package shares: the two training categories (法律知识, 专门业务), declared once."""

CATEGORIES = {"legal": "法律知识", "operations": "专门业务"}
