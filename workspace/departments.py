"""A data provider that fills a form field, with an input of its own."""

from bifrost import data_provider, param, workflow

DEPARTMENTS = {
    "amsterdam": ["Sales", "Support", "Finance"],
    "berlin": ["Engineering", "Support"],
}


@data_provider(name="list_departments", category="Examples", cache_ttl_seconds=600)
@param("office", "string", default_value="amsterdam")
def list_departments(office="amsterdam"):
    """Departments of an office."""
    return [{"label": d, "value": d.lower(), "metadata": {"office": office}} for d in DEPARTMENTS.get(office, [])]


@workflow(category="Examples", tags=["example", "forms"])
@param("office", "string", required=True, default_value="amsterdam")
@param("department", "string", required=True, data_provider="list_departments")
def assign_department(office, department):
    """Assign a new hire to a department (the department field is filled by list_departments)."""
    return {"office": office, "department": department}
