"""The checked exercises of each lesson, one module per lesson (``lesson03.py`` ...).

A lesson imports its module, e.g. ``from course_lib.exercises import lesson03 as ex``,
and the learner calls ``ex.q1.check(answer)``, ``ex.q1.hint()``, ``ex.q1.solution()``.
Keeping the questions here, not in the notebook, keeps reference answers out of sight
and lets the unit tests prove that every check rejects typical wrong answers.
"""
