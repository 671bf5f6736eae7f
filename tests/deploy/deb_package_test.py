#!/usr/bin/python3
"""The Debian package, built, installed and run the way systemd would run it.

1. cpack builds the .deb from the build directory (cmake/Packaging.cmake) into a temporary
   directory; dpkg-deb -I/-c must show the control fields, the conffile, exactly the expected
   files, and Depends naming the package of every shared library the binary loads.
2. dpkg --root installs it into a throwaway root whose package database is a copy of this
   machine's, so Depends is checked against a real Debian system; a second install of a newer
   release must keep a locally edited conffile.
3. systemd-analyze verify and security --offline check the installed unit, with the host's
   systemd units and /bin/kill (from procps, a Depends) copied into the root.
4. This machine has no systemd as PID 1, so `systemctl start` is impossible. Next best: the
   unit's own ExecStart, parsed from the installed file, runs chrooted into the root (with the
   libraries the Depends provide copied in) as an unused unprivileged UID from systemd's
   DynamicUser range, no supplementary groups, no_new_privs, an empty capability bounding set,
   the unit's UMask and LimitNOFILE, its working and state directory, and the environment
   systemd sets (STATE_DIRECTORY, CONFIGURATION_DIRECTORY). Only `--listen 127.0.0.1:0
   --ready-file` are appended, so parallel tests do not fight over port 8080. It runs under
   strace: every system call the daemon makes must pass the unit's SystemCallFilter=, no memory
   may become writable and executable (MemoryDenyWriteExecute=), sockets only of
   RestrictAddressFamilies=, no namespaces, personality changes or realtime scheduling.
5. /healthz, /readyz and a feed answer; one finding posted appears in the feed and in the state
   directory; ExecReload (parsed from the unit) reloads; SIGTERM stops it with exit code 0.

Needs root (dpkg --root, chroot), dpkg-dev, systemd (systemd-analyze), strace and curl
(scripts/deps.sh test). Without them it skips (exit 77) locally and fails under CI=true.
"""
import argparse
import ctypes
import json
import os
import pwd
import random
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

SKIP = 77
UNIT = "/lib/systemd/system/guardfeed.service"
CONFFILE = "/etc/guardfeed/guardfeed.toml"
# systemd's DynamicUser= range (61184-65519).
DYNAMIC_UIDS = range(61184, 65520)
NEW_FINDING_IP = "45.155.205.99"  # examples/post/eventbridge-new-finding.json


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def run(args, **kwargs):
    """Runs a command; a non-zero exit is a failure that shows its output."""
    result = subprocess.run(args, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise Failure(f"{shlex.join(map(str, args))} exited {result.returncode}:\n"
                      f"{result.stdout}{result.stderr}")
    return result.stdout


def skip_or_fail(reason):
    if os.environ.get("CI") == "true":
        print(f"deb_package: FAIL (not skipped under CI=true): {reason}", file=sys.stderr)
        sys.exit(1)
    print(f"deb_package: SKIP: {reason}")
    sys.exit(SKIP)


# ---- the unit file ------------------------------------------------------------------------------

def parse_unit(path):
    """systemd unit syntax: [Section], Key=Value, repeated keys kept in order, \\ continuations."""
    sections, section, pending = {}, None, ""
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = pending + raw.rstrip("\n")
            pending = ""
            if line.endswith("\\"):
                pending = line[:-1] + " "
                continue
            stripped = line.strip()
            if not stripped or stripped[0] in "#;":
                continue
            if stripped.startswith("["):
                section = sections.setdefault(stripped.strip("[]"), {})
                continue
            key, sep, value = stripped.partition("=")
            check(sep and section is not None, f"{path}: cannot parse line {line!r}")
            section.setdefault(key.strip(), []).append(value.strip())
    return sections


def one(service, key):
    values = service.get(key, [])
    check(len(values) == 1, f"unit: expected exactly one {key}=, found {values}")
    return values[0]


def exec_line(service, key):
    value = one(service, key)
    check(value[:1] not in "-@:+!", f"unit: {key}= has a prefix this test does not model: {value}")
    return shlex.split(value)


# ---- the package --------------------------------------------------------------------------------

def build_package(cpack, build_dir, out_dir, *defines):
    args = [cpack, "--config", os.path.join(build_dir, "CPackConfig.cmake"), "-B", out_dir]
    for define in defines:
        args += ["-D", define]
    run(args, cwd=out_dir)
    debs = [f for f in os.listdir(out_dir) if f.endswith(".deb")]
    check(len(debs) == 1, f"cpack left {debs} in {out_dir}, expected one .deb")
    return os.path.join(out_dir, debs[0])


def control_fields(deb):
    fields, key = {}, None
    for line in run(["dpkg-deb", "-f", deb]).splitlines():
        if line.startswith(" ") and key:
            fields[key] += "\n" + line
        else:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def depends_names(depends):
    names = set()
    for alternative_group in depends.split(","):
        for alternative in alternative_group.split("|"):
            names.add(alternative.strip().split(" ")[0].split(":")[0])
    return names


def shared_libraries(binary):
    """Every file the dynamic loader maps for binary (ldd), the loader included."""
    libraries = []
    for line in run(["ldd", binary]).splitlines():
        match = re.search(r"(/\S+) \(0x", line)
        if match:
            libraries.append(match.group(1))
    check(libraries, f"ldd found no libraries for {binary}: is it dynamically linked?")
    return libraries


def owning_package(path):
    for candidate in (path, os.path.realpath(path)):
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if result.returncode == 0:
            return result.stdout.split(":")[0].strip()
        # usrmerge: dpkg knows /lib/x.so, ldd may say /usr/lib/x.so, and the other way round.
        for a, b in (("/usr/lib/", "/lib/"), ("/lib/", "/usr/lib/"), ("/usr/lib64/", "/lib64/"),
                     ("/lib64/", "/usr/lib64/")):
            if candidate.startswith(a):
                result = subprocess.run(["dpkg", "-S", b + candidate[len(a):]],
                                        capture_output=True, text=True)
                if result.returncode == 0:
                    return result.stdout.split(":")[0].strip()
    raise Failure(f"no installed package owns {path}")


def check_package(deb, version):
    fields = control_fields(deb)
    for key, want in (("Package", "guardfeed"), ("Version", f"{version}-1"),
                      ("Section", "net"), ("Architecture", run(["dpkg", "--print-architecture"])
                                           .strip())):
        check(fields.get(key) == want, f"control field {key}: {fields.get(key)!r}, want {want!r}")
    for key in ("Maintainer", "Description", "Depends"):
        check(fields.get(key), f"control field {key} is missing or empty")
    depends = depends_names(fields["Depends"])
    check("procps" in depends, f"Depends lacks procps (ExecReload's /bin/kill): {depends}")

    with tempfile.TemporaryDirectory() as control:
        run(["dpkg-deb", "-e", deb, control])
        with open(os.path.join(control, "conffiles")) as f:
            conffiles = f.read().split()
        check(conffiles == [CONFFILE], f"conffiles: {conffiles}, want [{CONFFILE}]")
        scripts = {"preinst", "postinst", "prerm", "postrm"} & set(os.listdir(control))
        check(not scripts, f"unexpected maintainer scripts: {scripts}")

    files = {}
    for line in run(["dpkg-deb", "-c", deb]).splitlines():
        parts = line.split(None, 5)
        mode, owner, path = parts[0], parts[1], parts[5].removeprefix(".")
        check(owner == "root/root", f"{path} is owned by {owner}, want root/root")
        if not mode.startswith("d"):
            files[path] = mode
    expected = {"/usr/bin/guardfeed": "-rwxr-xr-x", CONFFILE: "-rw-r--r--",
                UNIT: "-rw-r--r--"}
    for path, mode in expected.items():
        check(files.get(path) == mode, f"package: {path} has mode {files.get(path)}, want {mode}")
    doc = "/usr/share/doc/guardfeed/"
    for path in ("README.md", "deploy-debian.md", "examples/guardfeed.example.toml"):
        check(doc + path in files, f"package lacks {doc + path}")
    extra = [p for p in files if p not in expected and not p.startswith(doc)]
    check(not extra, f"package holds unexpected files: {extra}")
    return fields, depends


def check_depends_cover(binary, depends):
    """dpkg-shlibdeps' result: every library the binary names (DT_NEEDED) comes from a package
    in Depends (libraries those load are their packages' business)."""
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", run(["readelf", "-d", binary]))
    check(needed, f"readelf found no DT_NEEDED in {binary}")
    paths = dict(re.findall(r"^\s*(\S+) => (/\S+) \(", run(["ldd", binary]), re.M))
    for name in needed:
        check(name in paths, f"ldd cannot resolve {name} needed by {binary}")
        library = paths[name]
        package = owning_package(library)
        provides = run(["dpkg-query", "-W", "-f=${Provides}", package])
        names = {package.split(":")[0]} | depends_names(provides or package)
        check(names & depends, f"{binary} loads {library} from {package} (provides "
                               f"{provides or 'nothing'}), which Depends does not name")


# ---- the throwaway root -------------------------------------------------------------------------

def dpkg_root(root, *args):
    return run(["dpkg", f"--root={root}", f"--log={root}/var/log/dpkg.log", *args])


def make_root(root):
    admin = os.path.join(root, "var/lib/dpkg")
    for sub in ("info", "updates", "triggers"):
        os.makedirs(os.path.join(admin, sub))
    os.makedirs(os.path.join(root, "var/log"))
    # This machine's package database: Depends are checked against what is really installed.
    shutil.copy("/var/lib/dpkg/status", os.path.join(admin, "status"))
    open(os.path.join(admin, "available"), "w").close()


def copy_into_root(root, path):
    """path (from this machine unless root has it) and, for an ELF, every library it loads
    (from this machine), at the same place inside root."""
    source = root + path if os.path.exists(root + path) else path
    targets = [] if source != path else [path]
    if run(["file", "-bL", source]).startswith("ELF"):
        targets += shared_libraries(source)
    for target in targets:
        destination = root + target
        if not os.path.exists(destination):
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            shutil.copy2(os.path.realpath(target), destination)


def install_and_upgrade(root, deb, upgrade_deb):
    dpkg_root(root, "-i", deb)
    status = dpkg_root(root, "-s", "guardfeed")
    check("Status: install ok installed" in status, f"dpkg -s after install:\n{status}")
    check(re.search(rf"^ {re.escape(CONFFILE)} [0-9a-f]{{32}}$", status, re.M),
          f"dpkg does not record {CONFFILE} as a conffile:\n{status}")
    conf = root + CONFFILE
    with open(conf, "a") as f:
        f.write("# local change kept by upgrades (deb_package_test)\n")
    with open(conf) as f:
        edited = f.read()
    dpkg_root(root, "-i", upgrade_deb)
    status = dpkg_root(root, "-s", "guardfeed")
    upgraded = control_fields(upgrade_deb)["Version"]
    check(f"Version: {upgraded}\n" in status, f"upgrade to {upgraded} not recorded:\n{status}")
    with open(conf) as f:
        check(f.read() == edited, f"the upgrade replaced the locally edited {CONFFILE}")
    leftovers = [f for f in os.listdir(os.path.dirname(conf)) if ".dpkg-" in f]
    check(not leftovers, f"the upgrade left {leftovers} in /etc/guardfeed")


def verify_unit(root):
    # systemd-analyze resolves the unit's dependencies (sysinit.target, ...) and Exec paths
    # inside the root: give it the host's units (the systemd package) and /bin/kill (procps).
    shutil.copytree("/usr/lib/systemd/system", root + "/usr/lib/systemd/system", symlinks=True)
    copy_into_root(root, "/bin/kill")
    result = subprocess.run(["systemd-analyze", "verify", f"--root={root}",
                             "guardfeed.service"], capture_output=True, text=True)
    output = (result.stdout + result.stderr).strip()
    check(result.returncode == 0 and not output,
          f"systemd-analyze verify (exit {result.returncode}) is not clean:\n{output}")
    result = subprocess.run(["systemd-analyze", "security", "--offline=yes", f"--root={root}",
                             "guardfeed.service"], capture_output=True, text=True)
    match = re.search(r"Overall exposure level for guardfeed.service: ([0-9.]+)", result.stdout)
    check(match, f"systemd-analyze security gave no exposure level:\n{result.stdout}"
                 f"{result.stderr}")
    exposure = float(match.group(1))
    # 0-10; systemd calls < 2 "OK". A regression of the unit's sandbox shows up here.
    check(exposure <= 2.0, f"systemd-analyze security: exposure {exposure} > 2.0:\n"
                           f"{result.stdout}")
    return exposure


# ---- the sandboxed run --------------------------------------------------------------------------

def unused_uid():
    used = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/status") as f:
                    used.update(int(v) for line in f if line.startswith("Uid:")
                                for v in line.split()[1:])
            except OSError:
                pass
    candidates = list(DYNAMIC_UIDS)
    random.shuffle(candidates)
    for uid in candidates:
        if uid in used:
            continue
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid
    raise Failure("no unused UID in systemd's DynamicUser range")


def sandbox_exec(argv):
    """--sandbox-exec ROOT UID WORKDIR UMASK NOFILE -- COMMAND...: the child side of a service
    start, after strace has attached: chroot, rlimit, umask, drop to UID with no groups and no
    capabilities, no_new_privs, exec. The environment is passed through unchanged."""
    root, uid, workdir, umask, nofile = argv[:5]
    check(argv[5] == "--", "sandbox-exec: expected -- before the command")
    command = argv[6:]
    uid, nofile = int(uid), int(nofile)
    libc = ctypes.CDLL(None, use_errno=True)
    os.chroot(root)
    os.chdir(workdir)
    # LimitNOFILE=; a container's own hard limit may be lower (systemd as PID 1 would allow it).
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard != resource.RLIM_INFINITY:
        nofile = min(nofile, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    os.umask(int(umask, 8))
    for cap in range(64):  # CapabilityBoundingSet= (empty)
        libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP; EINVAL past the last capability
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    check(libc.prctl(38, 1, 0, 0, 0) == 0, "PR_SET_NO_NEW_PRIVS failed")
    os.execv(command[0], command)


def expand_syscall_group(name, seen=None):
    seen = set() if seen is None else seen
    if name in seen:
        return set()
    seen.add(name)
    calls = set()
    for line in run(["systemd-analyze", "syscall-filter", name]).splitlines()[1:]:
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        calls |= expand_syscall_group(entry, seen) if entry.startswith("@") else {entry}
    return calls


def allowed_syscalls(service):
    """The unit's SystemCallFilter= lines in order: an allow list, then ~ removals."""
    allowed = None
    for value in service.get("SystemCallFilter", []):
        deny = value.startswith("~")
        names = set()
        for item in value.lstrip("~").split():
            names |= expand_syscall_group(item) if item.startswith("@") else {item}
        if allowed is None:
            check(not deny, "unit: the first SystemCallFilter= is a deny list; not modelled")
            allowed = names | expand_syscall_group("@default")
        elif deny:
            allowed -= names
        else:
            allowed |= names
    check(allowed, "unit: no SystemCallFilter=")
    return allowed


STRACE_LINE = re.compile(r"^(\d+) +(?:<\.\.\. )?([a-z_][a-z0-9_]*)(?:\(| resumed>)(.*)$")


def daemon_syscalls(trace_path, binary):
    """(name, arguments) of every system call of the daemon's process and its threads after it
    executed binary, from strace -f output (the main process's calls before that execve are the
    Python launcher's)."""
    with open(trace_path, errors="replace") as f:
        calls = [(int(m.group(1)), m.group(2), m.group(3))
                 for m in map(STRACE_LINE.match, f) if m]
    parent, main = {}, None
    for pid, name, rest in calls:
        if name in ("clone", "clone3", "fork", "vfork"):
            child = re.search(r"= (\d+)$", rest.strip())
            if child:
                parent[int(child.group(1))] = pid
        elif (name == "execve" and rest.startswith(f'"{binary}"') and
              rest.rstrip().endswith("= 0")):
            main = pid
    check(main is not None, f"strace saw no successful execve of {binary}")

    def in_daemon(pid):
        while pid != main and pid in parent:
            pid = parent[pid]
        return pid == main

    result, executed = [], False
    for pid, name, rest in calls:
        if pid == main and not executed:
            executed = (name == "execve" and rest.startswith(f'"{binary}"') and
                        rest.rstrip().endswith("= 0"))
            continue
        if in_daemon(pid):
            result.append((name, rest))
    return result


def check_sandbox(calls, service):
    allowed = allowed_syscalls(service)
    names = {name for name, _ in calls}
    check(len(names) > 20, f"strace saw too few system calls ({sorted(names)}): tracing broken?")
    denied = sorted(names - allowed)
    check(not denied, f"the daemon made system calls SystemCallFilter= denies: {denied}")
    families = set(one(service, "RestrictAddressFamilies").split())
    problems = []
    for name, rest in calls:
        if name in ("mmap", "mmap2") and "PROT_WRITE" in rest and "PROT_EXEC" in rest:
            problems.append(f"MemoryDenyWriteExecute: {name}({rest}")
        if name in ("mprotect", "pkey_mprotect") and "PROT_EXEC" in rest:
            problems.append(f"MemoryDenyWriteExecute: {name}({rest}")
        if name in ("socket", "socketpair"):
            family = rest.split(",")[0]
            if family not in families:
                problems.append(f"RestrictAddressFamilies: {name}({rest}")
        if name in ("unshare", "setns") or (name.startswith("clone") and "CLONE_NEW" in rest):
            problems.append(f"RestrictNamespaces: {name}({rest}")
        if name == "personality" and not rest.startswith("0xffffffff"):
            problems.append(f"LockPersonality: {name}({rest}")
        if name.startswith("sched_set") and re.search(r"SCHED_(FIFO|RR)", rest):
            problems.append(f"RestrictRealtime: {name}({rest}")
    check(not problems, "the daemon would break under the unit's sandbox:\n" +
          "\n".join(problems[:20]))
    return len(names)


def http(url, *curl_args):
    result = subprocess.run(["curl", "-sS", "--max-time", "10", "-o", "-", "-w",
                             "\n%{http_code}", *curl_args, url], capture_output=True, text=True)
    check(result.returncode == 0, f"curl {url}: {result.stderr}")
    body, _, code = result.stdout.rpartition("\n")
    return int(code), body


def fresh_finding(source_dir, path):
    """The README's example finding, seen now (its fixed dates would expire with time)."""
    with open(os.path.join(source_dir, "examples/post/eventbridge-new-finding.json")) as f:
        event = json.load(f)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    event["time"] = now
    event["detail"]["updatedAt"] = now
    event["detail"]["service"]["eventLastSeen"] = now
    with open(path, "w") as f:
        json.dump(event, f)


def run_daemon(root, service, tmp, source_dir, launcher):
    uid = unused_uid()
    state = one(service, "StateDirectory")
    config_dir = one(service, "ConfigurationDirectory")
    check(one(service, "DynamicUser") == "yes", "unit: DynamicUser= is not yes")
    state_path = f"/var/lib/{state}"
    # What systemd does at start: the state directory, owned by the dynamic user, in its mode.
    os.makedirs(root + state_path)
    os.chown(root + state_path, uid, uid)
    os.chmod(root + state_path, int(one(service, "StateDirectoryMode"), 8))
    os.makedirs(root + "/tmp", exist_ok=True)
    os.chmod(root + "/tmp", 0o1777)  # PrivateTmp=
    workdir = one(service, "WorkingDirectory")
    check(workdir == state_path, f"unit: WorkingDirectory={workdir}, want {state_path}")

    command = exec_line(service, "ExecStart")
    check(os.access(root + command[0], os.X_OK), f"ExecStart {command[0]} is not installed")
    copy_into_root(root, command[0])  # the libraries its Depends provide
    copy_into_root(root, "/etc/ld.so.cache")  # where the loader finds them (libc6)
    ready = "/tmp/guardfeed.ready"
    command += ["--listen", "127.0.0.1:0", "--ready-file", ready]
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "LANG": "C.UTF-8", "HOME": "/", "USER": one(service, "User"),
           "LOGNAME": one(service, "User"), "SHELL": "/usr/sbin/nologin",
           "STATE_DIRECTORY": state_path, "CONFIGURATION_DIRECTORY": f"/etc/{config_dir}"}
    for value in service.get("Environment", []):
        for assignment in shlex.split(value):
            key, _, val = assignment.partition("=")
            env[key] = val

    trace = os.path.join(tmp, "strace.log")
    log_path = os.path.join(tmp, "daemon.log")
    log = open(log_path, "w")
    nofile = one(service, "LimitNOFILE")
    process = subprocess.Popen(
        ["strace", "-f", "-qq", "-s", "64", "-o", trace, sys.executable, launcher,
         "--sandbox-exec", root, str(uid), workdir, one(service, "UMask"), nofile, "--",
         *command], stdout=log, stderr=subprocess.STDOUT, env=env)

    def daemon_log():
        with open(log_path, errors="replace") as f:
            return f.read()[-4000:]

    main_pid = None
    try:
        main_pid = daemon_pid(process.pid)
        deadline = time.monotonic() + 30
        while not os.path.exists(root + ready):
            check(process.poll() is None,
                  f"the daemon exited {process.returncode} before serving:\n{daemon_log()}")
            check(time.monotonic() < deadline, f"no ready file after 30 s:\n{daemon_log()}")
            time.sleep(0.05)
        with open(root + ready) as f:
            base = f.read().strip()
        check(owner_uid(main_pid) == uid, "the daemon does not run as the unprivileged UID")

        code, body = http(base + "/healthz")
        check(code == 200, f"/healthz: {code} {body}")
        deadline = time.monotonic() + 10
        while http(base + "/readyz")[0] != 200:
            check(time.monotonic() < deadline, f"/readyz: {http(base + '/readyz')}")
            time.sleep(0.1)
        code, body = http(base + "/feeds/fortigate_ip")
        check(code == 200 and NEW_FINDING_IP not in body, f"/feeds/fortigate_ip: {code} {body}")

        finding = os.path.join(tmp, "finding.json")
        fresh_finding(source_dir, finding)
        code, body = http(base + "/v1/findings", "-X", "POST", "-H",
                          "Content-Type: application/json", "--data-binary", "@" + finding)
        check(200 <= code < 300, f"POST /v1/findings: {code} {body}")
        deadline = time.monotonic() + 10
        while True:
            code, body = http(base + "/feeds/fortigate_ip")
            if code == 200 and NEW_FINDING_IP in body.split():
                break
            check(time.monotonic() < deadline,
                  f"{NEW_FINDING_IP} not in /feeds/fortigate_ip after 10 s: {code} {body}")
            time.sleep(0.1)

        # The state stays in the state directory, private to the service (UMask=0077).
        db = f"{root}{state_path}/state.db"
        check(os.path.exists(db), f"no store at {state_path}/state.db: {os.listdir(root + state_path)}")
        info = os.stat(db)
        check(info.st_uid == uid and info.st_mode & 0o077 == 0,
              f"{state_path}/state.db: owner {info.st_uid}, mode {oct(info.st_mode)}")
        published = f"{root}{state_path}/public"
        deadline = time.monotonic() + 10
        while not any(NEW_FINDING_IP in open(os.path.join(published, f), errors="replace").read()
                      for f in (os.listdir(published) if os.path.isdir(published) else [])
                      if os.path.isfile(os.path.join(published, f))):
            check(time.monotonic() < deadline, f"{NEW_FINDING_IP} not published in "
                                               f"{state_path}/public after 10 s")
            time.sleep(0.1)

        # ExecReload, as systemd runs it: $MAINPID substituted, as the service's user.
        reload = [a.replace("$MAINPID", str(main_pid)).replace("${MAINPID}", str(main_pid))
                  for a in exec_line(service, "ExecReload")]
        subprocess.run(reload, check=True, preexec_fn=lambda: os.setresuid(uid, uid, uid))
        deadline = time.monotonic() + 10
        while "reload done" not in daemon_log():
            check(process.poll() is None and time.monotonic() < deadline,
                  f"no 'reload done' after ExecReload:\n{daemon_log()}")
            time.sleep(0.1)
        check(http(base + "/healthz")[0] == 200, "/healthz after reload")

        os.kill(main_pid, signal.SIGTERM)  # systemctl stop (KillSignal=SIGTERM)
        try:
            code = process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            raise Failure(f"the daemon did not stop within 20 s of SIGTERM:\n{daemon_log()}")
        check(code == 0, f"the daemon exited {code} after SIGTERM:\n{daemon_log()}")
    finally:
        if process.poll() is None:
            # A killed strace detaches its tracees: stop the daemon itself, by its PID.
            if main_pid is not None:
                try:
                    os.kill(main_pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            process.kill()
            process.wait()
        log.close()
    return trace, command[0]


def daemon_pid(strace_pid):
    """The traced child of strace (the launcher, which execs the daemon in the same process)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{strace_pid}/task/{strace_pid}/children") as f:
                children = f.read().split()
        except FileNotFoundError:
            return None  # strace already exited; the caller reports the daemon's log
        if children:
            return int(children[0])
        time.sleep(0.05)
    raise Failure("cannot find the daemon's process under strace")


def owner_uid(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Uid:"))


# ---- main ---------------------------------------------------------------------------------------

def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--sandbox-exec":
        sandbox_exec(sys.argv[2:])
        return 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--cpack", default="cpack")
    parser.add_argument("--version", required=True, help="the project version")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    args.build_dir = os.path.abspath(args.build_dir)
    args.source_dir = os.path.abspath(args.source_dir)

    if os.geteuid() != 0:
        skip_or_fail("needs root (dpkg --root, chroot)")
    for tool in ("dpkg-deb", "dpkg-shlibdeps", "systemd-analyze", "strace", "curl", "file",
                 "ldd", "readelf", args.cpack):
        if not shutil.which(tool):
            skip_or_fail(f"{tool} not found (scripts/deps.sh test installs it)")
    if not os.path.exists(os.path.join(args.build_dir, "CPackConfig.cmake")):
        raise Failure(f"{args.build_dir}/CPackConfig.cmake is missing")

    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="guardfeed-deb-")
    try:
        os.makedirs(f"{tmp}/pkg")
        os.makedirs(f"{tmp}/pkg-upgrade")
        deb = build_package(args.cpack, args.build_dir, f"{tmp}/pkg")
        upgrade_deb = build_package(args.cpack, args.build_dir, f"{tmp}/pkg-upgrade",
                                    "CPACK_DEBIAN_PACKAGE_RELEASE=2")
        fields, depends = check_package(deb, args.version)
        print(f"deb_package: {os.path.basename(deb)}: Depends: {fields['Depends']}")

        root = f"{tmp}/root"
        make_root(root)
        install_and_upgrade(root, deb, upgrade_deb)
        check_depends_cover(root + "/usr/bin/guardfeed", depends)
        exposure = verify_unit(root)
        print(f"deb_package: installed, upgrade kept the conffile, unit verified "
              f"(systemd-analyze security exposure {exposure})")

        service = parse_unit(root + UNIT)["Service"]
        trace, binary = run_daemon(root, service, tmp, args.source_dir,
                                   os.path.abspath(__file__))
        count = check_sandbox(daemon_syscalls(trace, binary), service)
        print(f"deb_package: daemon served, ingested, reloaded and stopped cleanly as an "
              f"unprivileged user; its {count} distinct system calls pass the unit's sandbox "
              f"({time.monotonic() - started:.1f} s)")
    finally:
        if args.keep:
            print(f"deb_package: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as failure:
        print(f"deb_package: FAIL: {failure}", file=sys.stderr)
        sys.exit(1)
