"""The dev and test Kafka broker: Apache Kafka 4.x, one node in KRaft mode (broker and controller).

Its jars come through Maven from the pinned build file `deploy/kafka/pom.xml` into
`.run/kafka-dist/<version>/lib`, once; their SHA-256 sums must match `deploy/kafka/jars.sha256`
(Maven also checks each download against the registry's checksum). Later starts need no network.
The broker runs on the machine's Java 17 with a bounded heap; its data directory is kept across
restarts unless the caller gives a fresh one.

Dev settings that keep tests fast and honest: no initial rebalance delay, topic auto-creation off
(relays and consumers create their topics with the partitions they expect), a session-timeout
floor that admits the project's consumers, and small internal topics.

`python -m shared.devkafka fetch` fetches and checks the jars; `... lock` rewrites the sums after a
version change; `... start DIR` runs a broker in the foreground.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["KAFKA_VERSION", "KafkaBroker", "ensure_distribution", "start_kafka"]

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "deploy" / "kafka"
POM = BUILD / "pom.xml"
SUMS = BUILD / "jars.sha256"
LOG_CONFIG = BUILD / "log4j2.properties"
STARTED_LINE = "Kafka Server started"


def _pinned_version() -> str:
    text = POM.read_text()
    start = text.index("<kafka.version>") + len("<kafka.version>")
    return text[start:text.index("</kafka.version>")]


KAFKA_VERSION = _pinned_version()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pinned_sums() -> dict[str, str]:
    sums = {}
    for line in SUMS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split()
            sums[name] = digest
    return sums


def _copy_jars(into: Path) -> None:
    """Maven resolves the pinned build file and copies every runtime jar into `into`."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise RuntimeError("Maven (mvn) is needed once to fetch the Kafka broker's jars; install Maven")
    command = [mvn, "-B", "-q", "--strict-checksums", "-f", str(POM), "dependency:copy-dependencies",
               f"-DoutputDirectory={into}", "-DincludeScope=runtime"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"Maven could not fetch the Kafka jars:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")


def ensure_distribution(run_dir: Path) -> Path:
    """The folder of checked Kafka jars, fetched on first use (the only step needing a network)."""
    lib = run_dir / "kafka-dist" / KAFKA_VERSION / "lib"
    if (lib / ".checked").exists():
        return lib
    lib.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="lib-", dir=lib.parent))
    try:
        _copy_jars(staging)
        expected = _pinned_sums()
        found = {p.name: _sha256(p) for p in staging.glob("*.jar")}
        if found != expected:
            wrong = sorted(n for n in found.keys() | expected.keys() if found.get(n) != expected.get(n))
            raise RuntimeError(f"Kafka jars do not match {SUMS.relative_to(ROOT)}: {', '.join(wrong)}")
        (staging / ".checked").write_text(KAFKA_VERSION)
        shutil.rmtree(lib, ignore_errors=True)
        staging.rename(lib)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return lib


def write_sums() -> None:
    """After changing the pinned version: fetch, and pin the sums of what Maven resolved."""
    with tempfile.TemporaryDirectory() as scratch:
        _copy_jars(Path(scratch))
        lines = [f"{_sha256(p)}  {p.name}" for p in sorted(Path(scratch).glob("*.jar"))]
    SUMS.write_text(f"# SHA-256 of the dev broker's jars, Apache Kafka {KAFKA_VERSION} (deploy/kafka/pom.xml)\n"
                    + "\n".join(lines) + "\n")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _properties(data_dir: Path, port: int, controller_port: int) -> str:
    return f"""\
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{controller_port}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs={data_dir / "data"}
num.partitions=6
auto.create.topics.enable=false
delete.topic.enable=true
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=6
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
"""


def _cluster_id() -> str:
    """A random cluster id as Kafka writes them: base64url of a UUID, never starting with '-' (it
    would read as an option)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _configured_controller_port(config: Path) -> int | None:
    if not config.exists():
        return None
    for line in config.read_text().splitlines():
        if line.startswith("controller.quorum.voters="):
            return int(line.rsplit(":", 1)[1])
    return None


@dataclass
class KafkaBroker:
    """A running dev broker: `bootstrap` to connect, `stop()` to shut it down cleanly, `kill()` to
    kill -9 it (its data stays in `data_dir`)."""

    bootstrap: str
    data_dir: Path
    process: subprocess.Popen[bytes] | None
    started_in: float = 0.0
    log_path: Path | None = field(default=None)
    #: A folder made for this broker alone: removed when it stops (never when it is killed).
    temporary: bool = False

    @property
    def port(self) -> int:
        return int(self.bootstrap.rsplit(":", 1)[1])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.temporary:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start_kafka(
    data_dir: Path,
    *,
    port: int | None = None,
    controller_port: int | None = None,
    run_dir: Path | None = None,
    log_path: Path | None = None,
    heap: str = "512m",
    timeout: float = 180.0,
) -> KafkaBroker:
    """Start a broker whose data lives in `data_dir` (formatted on first use, kept afterwards) on
    127.0.0.1:`port` (a free one by default); returns once it serves clients. `timeout` bounds a start
    that hangs: a JVM on a loaded 2-core machine has been seen to take over 60 s."""
    lib = ensure_distribution(run_dir or ROOT / ".run")
    data_dir.mkdir(parents=True, exist_ok=True)
    config = data_dir / "server.properties"
    port = port or _free_port()
    # The quorum's address is part of the data: a restarted broker keeps its controller port.
    controller_port = controller_port or _configured_controller_port(config) or _free_port()
    config.write_text(_properties(data_dir, port, controller_port))
    java = shutil.which("java") or "java"
    classpath = f"{lib}/*"
    if not (data_dir / "data" / "meta.properties").exists():
        cluster_id = _cluster_id()
        subprocess.run([java, "-Xmx256m", "-cp", classpath, "kafka.tools.StorageTool", "format",
                        "-t", cluster_id, "-c", str(config), "--ignore-formatted"],
                       check=True, capture_output=True)
    log_path = log_path or data_dir / "kafka.log"
    offset = log_path.stat().st_size if log_path.exists() else 0
    started = time.monotonic()
    with log_path.open("ab") as out:
        process = subprocess.Popen(
            [java, f"-Xmx{heap}", "-Xms128m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
             "-Djava.awt.headless=true", f"-Dlog4j2.configurationFile={LOG_CONFIG}",
             "-cp", classpath, "kafka.Kafka", str(config)],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    broker = KafkaBroker(f"127.0.0.1:{port}", data_dir, process, log_path=log_path)
    while True:
        with log_path.open("rb") as log:
            log.seek(offset)
            if STARTED_LINE in log.read().decode(errors="replace"):
                break
        if process.poll() is not None or time.monotonic() - started > timeout:
            broker.kill()
            tail = log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"Kafka did not start (exit {process.returncode}); its log:\n{tail}")
        time.sleep(0.05)
    broker.started_in = time.monotonic() - started
    return broker


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "fetch"
    if command == "lock":
        write_sums()
        print(f"pinned {SUMS.relative_to(ROOT)} for Apache Kafka {KAFKA_VERSION}")
    elif command == "fetch":
        print(ensure_distribution(ROOT / ".run"))
    elif command == "start":
        broker = start_kafka(Path(argv[1]) if len(argv) > 1 else ROOT / ".run" / "kafka", port=9092)
        print(f"Apache Kafka {KAFKA_VERSION} on {broker.bootstrap}, started in {broker.started_in:.1f} s", flush=True)
        try:
            assert broker.process is not None
            broker.process.wait()
        except KeyboardInterrupt:
            broker.stop()
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
