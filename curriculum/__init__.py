"""The curriculum: the course catalog (courses/catalog.yaml), read by the notebooks' glue, the CLI and the 学堂服务."""
