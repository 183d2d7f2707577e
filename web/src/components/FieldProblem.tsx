// What is wrong with a form's input, announced to screen readers (role="alert"); nothing when
// there is no problem.
export function FieldProblem({ problem, id }: { problem: string | null | undefined; id?: string }) {
  if (!problem) return null;
  return (
    <p id={id} className="field-problem" role="alert">
      {problem}
    </p>
  );
}
