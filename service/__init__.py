"""学堂服务: the JupyterHub-managed service that alone holds the answer keys and the tracker's database.

Officers' kernels hold questions without keys; every answer comes here, authenticated by the hub (the officer is the
hub user of the token or OAuth cookie, never a field of the request), is graded, stored once per request, and decides
quiz passes and module completions, which are written to the ledger with the service as the recorder. HR pages sit
behind the 人事 group. ``quizzes`` is the logic (plain functions, tested directly), ``handlers`` the HTTP rooms,
``app`` the traitlets application (``academy serve``, or ``python -m service`` as the hub starts it). The 错题本 and
the 模拟考试 are ``practice`` (logic) and ``practice_handlers`` (their URLs).
"""
