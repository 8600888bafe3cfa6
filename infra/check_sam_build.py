"""Checks what `sam build` made: for every function of the template, one arm64 Linux executable
named `bootstrap`, alone in the function's folder under the build directory (so that each function's
zip holds its own bootstrap, not the repository).

    python infra/check_sam_build.py template.yaml .aws-sam/build
"""

import os
import sys

from samcli.yamlhelper import yaml_parse

ELF_MAGIC = b"\x7fELF"
EM_AARCH64 = 183


def functions(template_path):
    with open(template_path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    return sorted(
        name
        for name, resource in template.get("Resources", {}).items()
        if resource.get("Type") == "AWS::Serverless::Function"
    )


def problem(build_dir, function):
    folder = os.path.join(build_dir, function)
    bootstrap = os.path.join(folder, "bootstrap")
    if not os.path.isfile(bootstrap):
        return f"{bootstrap} is missing"
    others = sorted(set(os.listdir(folder)) - {"bootstrap"})
    if others:
        return f"{folder} holds more than the bootstrap: {', '.join(others[:5])}"
    if not os.access(bootstrap, os.X_OK):
        return f"{bootstrap} is not executable"
    with open(bootstrap, "rb") as f:
        head = f.read(20)
    if head[:4] != ELF_MAGIC or int.from_bytes(head[18:20], "little") != EM_AARCH64:
        return f"{bootstrap} is not an arm64 Linux executable"
    return None


def main():
    template_path, build_dir = sys.argv[1], sys.argv[2]
    names = functions(template_path)
    # Every package under functions/ is one Lambda function of the template.
    packages = sorted(d for d in os.listdir("functions") if os.path.isfile(os.path.join("functions", d, "Cargo.toml")))
    if len(names) != len(packages):
        print(f"expected one function per package of functions/ ({packages}) in {template_path}, found {names}", file=sys.stderr)
        return 1
    problems = [p for p in (problem(build_dir, name) for name in names) if p]
    for p in problems:
        print(f"check-sam-build: {p}", file=sys.stderr)
    if problems:
        return 1
    for name in names:
        size = os.path.getsize(os.path.join(build_dir, name, "bootstrap"))
        print(f"{name:<20} bootstrap {size:>10} B")
    print(f"check-sam-build: {len(names)} arm64 bootstraps in {build_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
