// What a new workspace needs: the smallest workflow, ready to copy.
const EXAMPLE = `from bifrost import workflow


@workflow(category="Examples")
def greet(name: str, excited: bool = False) -> dict:
    """Greet someone by name."""
    return {"greeting": f"Hello, {name}{'!' if excited else '.'}"}
`;

/** EmptyWorkspace explains how to add the first workflow to the workspace. */
export function EmptyWorkspace({ canRescan }: { canRescan: boolean }) {
  return (
    <div className="empty-state empty-workspace" data-testid="workflows-empty">
      <p className="empty-state-title">No workflows in the workspace yet.</p>
      <p className="muted">
        A workflow is a Python function decorated with <code>@workflow</code>. Save a file like this one in the workspace folder
        (<code>workspace.path</code>, or <code>BIFROST_WORKSPACE_PATH</code>):
      </p>
      <pre className="code-block" aria-label="Example workflow">
        {EXAMPLE}
      </pre>
      <p className="muted">
        The workers import it within a few seconds{canRescan ? ' (or at once with “Rescan workspace”)' : ''}, and its parameters become a form: here{' '}
        <code>name</code> is a required text field and <code>excited</code> a checkbox.
      </p>
    </div>
  );
}
