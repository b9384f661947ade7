"""Find prompts hard-coded in Python source: the literal arguments of OpenAI and Anthropic
SDK calls and module-level ``*_PROMPT`` strings.

A call is lifted when every message is literal: a string, an f-string (each field becomes
an input) or ``"...".format(name=...)``; a message list built at run time is reported and
left alone. Each lifted literal remembers where it sits, for the ``--rewrite`` patch.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from promptops.interop.common import REQUEST_PARAMS
from promptops.interop.python_literals import Field, Lifted, LiteralModule, Piece, Site

__all__ = ["Field", "Lifted", "Piece", "Site", "scan_module", "scan_project"]

_CALLS = {
    ("chat", "completions", "create"): "openai-chat",
    ("chat", "completions", "parse"): "openai-chat",
    ("responses", "create"): "openai-responses",
    ("responses", "parse"): "openai-responses",
    ("messages", "create"): "anthropic",
    ("messages", "stream"): "anthropic",
}
_PARAMS = (*REQUEST_PARAMS, "stop_sequences")
# Keywords a lifted call may hold that the prompt does not need to carry: what it lifts,
# and transport settings of the client call.
_HANDLED = frozenset(
    {
        *_PARAMS,
        "model",
        "messages",
        "input",
        "instructions",
        "system",
        "stream",
        "timeout",
        "extra_headers",
        "extra_query",
        "extra_body",
        "user",
        "metadata",
        "store",
        "n",
    }
)
_ANNOTATIONS = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "list": "array",
    "List": "array",
    "dict": "object",
    "Dict": "object",
}


def _call_kind(node: ast.Call) -> str | None:
    chain: list[str] = []
    func: ast.expr = node.func
    while isinstance(func, ast.Attribute):
        chain.append(func.attr)
        func = func.value
    chain.reverse()
    for suffix, kind in _CALLS.items():
        if tuple(chain[-len(suffix) :]) == suffix:
            return kind
    return None


def _annotations(func: ast.FunctionDef | ast.AsyncFunctionDef | None) -> dict[str, dict[str, Any]]:
    if func is None:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for arg in [*func.args.args, *func.args.kwonlyargs]:
        ann = arg.annotation
        name = (
            ann.id
            if isinstance(ann, ast.Name)
            else ann.value.id
            if isinstance(ann, ast.Subscript) and isinstance(ann.value, ast.Name)
            else None
        )
        if name in _ANNOTATIONS:
            out[arg.arg] = {"type": _ANNOTATIONS[name]}
    return out


def _lift_call(
    mod: LiteralModule,
    node: ast.Call,
    kind: str,
    name: str,
    func: ast.FunctionDef | ast.AsyncFunctionDef | None,
) -> Lifted | None:
    kw = {k.arg: k.value for k in node.keywords if k.arg}
    taken: dict[str, str] = {}
    lifted = Lifted(name, node.lineno, node.col_offset + 1, [], call=kind)
    system_key = {"openai-responses": "instructions", "anthropic": "system"}.get(kind)
    if system_key and system_key in kw:
        pieces = mod.pieces(kw[system_key], taken)
        if pieces is None:
            mod.problems.append(
                (
                    node.lineno,
                    node.col_offset + 1,
                    f"'{system_key}=' is built at run time; this call was not lifted",
                )
            )
            return None
        lifted.messages.append(("system", pieces))
        lifted.sites.append(Site(kw[system_key], 0, 1, False))
    key = "input" if kind == "openai-responses" else "messages"
    if kind == "openai-responses" and "prompt" in kw:
        mod.problems.append((node.lineno, node.col_offset + 1, _stored_prompt(kw["prompt"])))
        return None
    if key not in kw:
        return None
    target = kw[key]
    start = len(lifted.messages)
    if kind == "openai-responses" and not isinstance(target, ast.List):
        pieces = mod.pieces(target, taken)
        if pieces is None:
            mod.problems.append(
                (
                    node.lineno,
                    node.col_offset + 1,
                    "'input=' is built at run time; this call was not lifted",
                )
            )
            return None
        lifted.messages.append(("user", pieces))
        lifted.sites.append(Site(target, start, 1, False))
    else:
        messages = mod.message_list(target, taken)
        if messages is None:
            mod.problems.append(
                (
                    node.lineno,
                    node.col_offset + 1,
                    f"'{key}=' is not a literal list of {{role, content}} messages "
                    "(built at run time, or holding other content); this call was "
                    "not lifted",
                )
            )
            return None
        lifted.messages.extend(messages)
        lifted.sites.append(Site(target, start, len(messages), True))
    model = kw.get("model")
    if isinstance(model, ast.Constant) and isinstance(model.value, str):
        lifted.model = model.value
    for param in _PARAMS:
        value = kw.get(param)
        if value is not None:
            try:
                lifted.params[param] = ast.literal_eval(value)
            except ValueError:
                mod.problems.append(
                    (
                        value.lineno,
                        value.col_offset + 1,
                        f"{param}= is computed at run time; it was not imported: "
                        "set it in the prompt's params",
                    )
                )
    kept = sorted(k for k in kw if k not in _HANDLED)
    if kept:
        mod.problems.append(
            (
                node.lineno,
                node.col_offset + 1,
                f"{', '.join(k + '=' for k in kept)} stay in the call: the imported prompt "
                "does not carry them (tools go to policies/tools.yaml and the prompt's "
                "tools, structured output to its output schema, by hand)",
            )
        )
    annotated = _annotations(func)
    for expr, input_name in taken.items():
        if expr in annotated:
            lifted.schemas[input_name] = annotated[expr]
    return lifted


def _stored_prompt(node: ast.expr) -> str:
    """The message for a call that renders an OpenAI prompt object stored in the dashboard."""
    fields: dict[str, str] = {}
    if isinstance(node, ast.Dict):
        for k, v in zip(node.keys, node.values, strict=True):
            if isinstance(k, ast.Constant) and isinstance(k.value, str):
                fields[k.value] = ast.unparse(v)
    named = f" {fields['id']}" if "id" in fields else ""
    version = f" (version {fields['version']})" if "version" in fields else ""
    return (
        f"this call renders the OpenAI prompt object{named}{version} stored in the OpenAI "
        "dashboard; its text is not in the source: copy its messages into a .prompt.yml "
        "file and import that (docs/migrate/openai-prompt-objects.md)"
    )


def _scan_tree(
    tree: ast.Module, source: str, module: str, external: Mapping[str, ast.expr]
) -> tuple[list[Lifted], list[tuple[int, int, str]], set[str], LiteralModule]:
    mod = LiteralModule(tree, source, module, external)
    found: list[Lifted] = []
    used: set[str] = set()
    counts: dict[str, int] = {}

    def visit(node: ast.AST, func: ast.FunctionDef | ast.AsyncFunctionDef | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else func
            if isinstance(child, ast.Call) and (kind := _call_kind(child)) is not None:
                base = f"{module}/{func.name if func else 'module'}"
                counts[base] = counts.get(base, 0) + 1
                name = base if counts[base] == 1 else f"{base}-{counts[base]}"
                lifted = _lift_call(mod, child, kind, name, func)
                if lifted is not None:
                    found.append(lifted)
                    used.update(n.id for n in ast.walk(child) if isinstance(n, ast.Name))
            visit(child, inner)

    visit(tree, None)
    return found, mod.problems, used, mod


def _constants(mod: LiteralModule, skip: set[str]) -> list[Lifted]:
    out: list[Lifted] = []
    for cname, (value, line, col) in mod.constants.items():
        if not cname.endswith("_PROMPT") or cname in skip:
            continue
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
            continue
        role = "system" if "SYSTEM" in cname else "user"
        lifted = Lifted(
            f"{mod.module}/{cname.lower().replace('_', '-')}",
            line,
            col + 1,
            [(role, [value.value])],
        )
        lifted.sites.append(Site(value, 0, 1, False))
        out.append(lifted)
    return out


def scan_module(source: str, module: str) -> tuple[list[Lifted], list[tuple[int, int, str]]]:
    """Prompts of one module on its own, and problems ``(line, col, message)``.

    Raises:
        SyntaxError: the source does not parse.
    """
    results = scan_project({module: source})
    found, problems = results[module]
    if isinstance(found, SyntaxError):
        raise found
    return found, problems


def _imports(tree: ast.Module, module: str) -> dict[str, tuple[str, str]]:
    """``local name -> (dotted module, name)`` of ``from X import Y`` at the top level."""
    out: dict[str, tuple[str, str]] = {}
    package = module.replace("/", ".").rpartition(".")[0]
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module is not None or node.level):
            source = node.module or ""
            if node.level:
                parts = package.split(".") if package else []
                base = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                source = ".".join([*base, source] if source else base)
            for alias in node.names:
                out[alias.asname or alias.name] = (source, alias.name)
    return out


def _find(dotted: str, modules: Mapping[str, Any]) -> str | None:
    """The scanned module an import names: the longest dotted suffix that matches."""
    wanted = dotted.replace(".", "/")
    best = None
    for name in modules:
        matched = wanted == name or wanted.endswith("/" + name)
        if matched and (best is None or len(name) > len(best)):
            best = name
    return best


def scan_project(
    sources: Mapping[str, str],
) -> dict[str, tuple[list[Lifted] | SyntaxError, list[tuple[int, int, str]]]]:
    """Scan modules together (``module path -> source``), so a prompt constant imported
    from another module resolves; a constant used by a lifted call is not lifted again."""
    trees: dict[str, ast.Module] = {}
    results: dict[str, tuple[list[Lifted] | SyntaxError, list[tuple[int, int, str]]]] = {}
    for module, source in sources.items():
        try:
            trees[module] = ast.parse(source)
        except SyntaxError as exc:
            results[module] = (exc, [])
    constants: dict[str, dict[str, ast.expr]] = {}
    for module, tree in trees.items():
        constants[module] = {
            node.targets[0].id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        }
    used: set[tuple[str, str]] = set()
    scanned: dict[str, tuple[list[Lifted], list[tuple[int, int, str]], LiteralModule]] = {}
    for module, tree in trees.items():
        external: dict[str, ast.expr] = {}
        origin: dict[str, tuple[str, str]] = {}
        for local, (dotted, name) in _imports(tree, module).items():
            found_module = _find(dotted, trees)
            if found_module is not None and name in constants[found_module]:
                external[local] = constants[found_module][name]
                origin[local] = (found_module, name)
        lifted, problems, names, mod = _scan_tree(tree, sources[module], module, external)
        for n in names:
            used.add(origin.get(n, (module, n)))
        scanned[module] = (lifted, problems, mod)
    for module, (lifted, problems, mod) in scanned.items():
        skip = {name for m, name in used if m == module}
        results[module] = ([*lifted, *_constants(mod, skip)], problems)
    return results
