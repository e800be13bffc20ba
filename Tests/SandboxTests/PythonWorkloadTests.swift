import Testing

@testable import Sandbox

/// Ordinary Python keeps working under the seccomp filter: threads, process pools, subprocesses, asyncio,
/// sqlite3, ctypes, mmap, socket pairs and signal handlers, each printing a checked result.
@Suite struct PythonWorkloadTests {
    static let workload = """
        import asyncio, concurrent.futures, ctypes, mmap, multiprocessing, os, signal, socket, sqlite3
        import subprocess, sys, threading, time

        def square(x):
            return x * x

        def main():
            totals = [0] * 8
            def work(i):
                totals[i] = sum(range(i * 1000))
            threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
            for thread in threads: thread.start()
            for thread in threads: thread.join()
            print("threads", sum(totals))
            with concurrent.futures.ThreadPoolExecutor(4) as executor:
                print("thread pool", sum(executor.map(square, range(10))))
            for method in ("fork", "spawn", "forkserver"):
                with multiprocessing.get_context(method).Pool(2) as pool:
                    print("process pool", method, sum(pool.map(square, range(10))))
            with concurrent.futures.ProcessPoolExecutor(2) as executor:
                print("process pool executor", sum(executor.map(square, range(10))))
            child = subprocess.run([sys.executable, "-c", "print(6 * 7)"], capture_output=True, text=True, check=True)
            print("subprocess", child.stdout.strip())
            shell = subprocess.run("echo $((6 * 7))", shell=True, capture_output=True, text=True, check=True)
            print("shell", shell.stdout.strip())

            async def run_async():
                async def one(i):
                    await asyncio.sleep(0.01)
                    return i
                values = await asyncio.gather(*(one(i) for i in range(5)))
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-c", "print('child')", stdout=asyncio.subprocess.PIPE)
                output, _ = await process.communicate()
                return sum(values), output.decode().strip()
            print("asyncio", *asyncio.run(run_async()))

            database = sqlite3.connect("/tmp/job.db")
            database.execute("create table t (x integer)")
            database.executemany("insert into t values (?)", [(i,) for i in range(100)])
            database.commit()
            print("sqlite3", database.execute("select sum(x) from t").fetchone()[0], os.path.getsize("/tmp/job.db") > 0)

            libc = ctypes.CDLL(None)
            print("ctypes", libc.getpid() == os.getpid(), libc.abs(-5))

            with mmap.mmap(-1, 1 << 20) as anonymous:
                anonymous[:5] = b"hello"
                print("mmap", anonymous[:5].decode())
            with open("/tmp/mapped.bin", "wb+") as file:
                file.write(bytes(4096))
                file.flush()
                with mmap.mmap(file.fileno(), 4096) as mapped:
                    mapped[:3] = b"abc"
                    mapped.flush()
                file.seek(0)
                print("mmap file", file.read(3).decode())

            left, right = socket.socketpair()
            left.sendall(b"ping")
            print("socketpair", right.recv(4).decode())
            left.close()
            right.close()

            received = []
            signal.signal(signal.SIGUSR1, lambda number, frame: received.append(number))
            signal.signal(signal.SIGALRM, lambda number, frame: received.append(number))
            os.kill(os.getpid(), signal.SIGUSR1)
            signal.setitimer(signal.ITIMER_REAL, 0.01)
            deadline = time.monotonic() + 5
            while len(received) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            print("signals", received == [signal.SIGUSR1, signal.SIGALRM])

        if __name__ == "__main__":
            main()
        """

    @Test func ordinaryPythonWorksUnderTheFilter() async throws {
        let runner = try TestSupport.runner(timeout: .seconds(60))
        let outcome = try await runner.run(code: Array(Self.workload.utf8))
        #expect(outcome.returncode == 0, "\(outcome.stderr)")
        #expect(
            outcome.stdout.split(separator: "\n") == [
                "threads 69986000",
                "thread pool 285",
                "process pool fork 285",
                "process pool spawn 285",
                "process pool forkserver 285",
                "process pool executor 285",
                "subprocess 42",
                "shell 42",
                "asyncio 10 child",
                "sqlite3 4950 True",
                "ctypes True 5",
                "mmap hello",
                "mmap file abc",
                "socketpair ping",
                "signals True",
            ], "\(outcome.stderr)")
        let probe = try await runner.probe()
        #expect(probe.seccompMode == "2", "\(probe.summary)")
    }
}
