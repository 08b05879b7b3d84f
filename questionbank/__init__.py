"""题库：题目模型、加载与校验、法律登记表、交换格式、测验组件。

This package imports neither ``grading`` nor ``tracker``.
"""
