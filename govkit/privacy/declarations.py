"""How a table column says whether it holds personal data: ``sa_column_kwargs=personal("identity")``
or ``sa_column_kwargs=not_personal("why")`` on the model field (SQLAlchemy's ``Column.info``).

Every column of a table that concerns persons carries one of the two; the register of processing
(govkit.privacy.register) is generated from them, and a test fails on a column without one.

The definitions live in govkit.personal_data, which imports nothing of govkit: the models of every
package import them from there (importing govkit.privacy from a package that govkit.privacy imports
would make a two-way import); the modules of govkit.privacy may import them from here.
"""

from __future__ import annotations

from govkit.personal_data import INFO_KEY, Category, declaration_of, not_personal, personal

__all__ = ["INFO_KEY", "Category", "declaration_of", "not_personal", "personal"]
