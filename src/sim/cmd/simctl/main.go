// Command simctl starts and stops the simulated home cluster: a real etcd,
// kube-apiserver, kube-controller-manager and kube-scheduler on 127.0.0.1, and
// the kwok controller playing the kubelets of fake Nodes.
//
//	simctl up   [--state-dir DIR] [--node NAME=IP[:ROLE,...]]... [--detach] [--exit-with-parent] [--timeout 2m]
//	simctl down [--state-dir DIR]
//	simctl status [--state-dir DIR]
//
// `up` runs in the foreground until SIGINT/SIGTERM and then stops every component;
// with --detach it runs itself in the background and returns once the cluster is
// ready. When ready, `up` prints one line on stdout:
//
//	ready kubeconfig=DIR/kubeconfig server=https://127.0.0.1:PORT seconds=S
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "up":
		err = cmdUp(os.Args[2:])
	case "down":
		err = cmdDown(os.Args[2:])
	case "status":
		err = cmdStatus(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "simctl:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: simctl up|down|status [--state-dir DIR] (see simctl up -h)")
	os.Exit(2)
}

type nodeFlags []nodeSpec

func (n *nodeFlags) String() string { return fmt.Sprint(*n) }
func (n *nodeFlags) Set(s string) error {
	spec, err := parseNodeSpec(s)
	if err != nil {
		return err
	}
	*n = append(*n, spec)
	return nil
}

// defaults: binaries beside simctl; state in <sim dir>/cluster, where the sim dir
// is $HOMECLUSTER_SIM_DIR or the parent of the bin folder.
func defaultDirs() (binDir, stateDir string) {
	exe, err := os.Executable()
	if err == nil {
		exe, _ = filepath.EvalSymlinks(exe)
		binDir = filepath.Dir(exe)
	}
	simDir := os.Getenv("HOMECLUSTER_SIM_DIR")
	if simDir == "" {
		simDir = filepath.Dir(binDir)
	}
	return binDir, filepath.Join(simDir, "cluster")
}

func cmdUp(args []string) error {
	binDir, stateDir := defaultDirs()
	fs := flag.NewFlagSet("up", flag.ExitOnError)
	fs.StringVar(&stateDir, "state-dir", stateDir, "folder for kubeconfig, certificates, etcd data and logs")
	fs.StringVar(&binDir, "bin-dir", binDir, "folder with etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok")
	var nodes nodeFlags
	fs.Var(&nodes, "node", "fake node NAME=IP[:ROLE,...] (repeatable), e.g. master-1=192.168.1.111:master")
	detach := fs.Bool("detach", false, "run in the background; return once the cluster is ready")
	exitWithParent := fs.Bool("exit-with-parent", false, "stop the cluster when the process that started simctl exits")
	timeout := fs.Duration("timeout", 2*time.Minute, "how long to wait for the cluster to become ready")
	_ = fs.Parse(args)

	stateDir, err := filepath.Abs(stateDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return err
	}
	if pid, alive := runningPid(stateDir); alive {
		return fmt.Errorf("a simulated cluster already runs from %s (pid %d); stop it with: simctl down --state-dir %s", stateDir, pid, stateDir)
	}
	if *detach {
		return upDetached(stateDir, args, *timeout)
	}

	if err := os.WriteFile(filepath.Join(stateDir, "simctl.pid"), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return err
	}
	defer os.Remove(filepath.Join(stateDir, "simctl.pid"))

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	parent := os.Getppid()

	c := &cluster{stateDir: stateDir, binDir: binDir}
	fmt.Fprintf(os.Stderr, "simctl: starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok (logs in %s)\n", c.dir("logs"))
	began := time.Now()
	if err := c.up(*timeout); err != nil {
		c.down()
		return err
	}
	if len(nodes) > 0 {
		probe, err := newProber(c.dir("pki", "ca.crt"), certPair{Cert: c.dir("pki", "admin-client.crt"), Key: c.dir("pki", "admin-client.key")})
		if err == nil {
			err = createNodes(probe.admin, c.info.Server, nodes, began.Add(*timeout))
		}
		if err != nil {
			c.down()
			return err
		}
		fmt.Fprintf(os.Stderr, "simctl: %-40s %5.1fs\n", fmt.Sprintf("%d fake node(s) Ready", len(nodes)), time.Since(began).Seconds())
	}
	c.info.StartSeconds = time.Since(began).Seconds()
	if err := c.writeInfo(); err != nil {
		c.down()
		return err
	}
	fmt.Printf("ready kubeconfig=%s server=%s seconds=%.1f\n", c.info.Kubeconfig, c.info.Server, c.info.StartSeconds)
	fmt.Fprintf(os.Stderr, "simctl: cluster ready in %.1fs with %d node(s); export KUBECONFIG=%s; stop with Ctrl-C or: simctl down --state-dir %s\n",
		c.info.StartSeconds, len(nodes), c.info.Kubeconfig, stateDir)

	ticker := time.NewTicker(500 * time.Millisecond)
	defer ticker.Stop()
	for {
		select {
		case s := <-signals:
			fmt.Fprintf(os.Stderr, "simctl: %v: stopping\n", s)
			c.down()
			return nil
		case <-ticker.C:
			if comp := c.failed(); comp != nil {
				err := comp.failure("stopped unexpectedly:")
				c.down()
				return err
			}
			if *exitWithParent && os.Getppid() != parent {
				fmt.Fprintln(os.Stderr, "simctl: parent process exited: stopping")
				c.down()
				return nil
			}
		}
	}
}

// upDetached re-runs `simctl up` without --detach in a new session, its output
// in stateDir/simctl.log, and waits until it is ready or gone.
func upDetached(stateDir string, args []string, timeout time.Duration) error {
	var childArgs []string
	for _, a := range args {
		if a != "--detach" && a != "-detach" && a != "--detach=true" && a != "-detach=true" {
			childArgs = append(childArgs, a)
		}
	}
	childArgs = append([]string{"up", "--state-dir", stateDir}, childArgs...)
	logPath := filepath.Join(stateDir, "simctl.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	_ = os.Remove(filepath.Join(stateDir, "cluster.json"))
	cmd := exec.Command(exe, childArgs...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(timeout + 10*time.Second)
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("simctl up failed (%v); its log %s ends with:\n%s", err, logPath, tail(logPath, 20))
		case <-deadline:
			_ = syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
			return fmt.Errorf("simctl up not ready in %s; see %s", timeout, logPath)
		case <-time.After(200 * time.Millisecond):
			info, err := readInfo(stateDir)
			if err == nil {
				fmt.Printf("ready kubeconfig=%s server=%s seconds=%.1f\n", info.Kubeconfig, info.Server, info.StartSeconds)
				fmt.Fprintf(os.Stderr, "simctl: cluster ready in %.1fs (pid %d); export KUBECONFIG=%s; stop with: simctl down --state-dir %s\n",
					info.StartSeconds, cmd.Process.Pid, info.Kubeconfig, stateDir)
				return nil
			}
		}
	}
}

func cmdDown(args []string) error {
	_, stateDir := defaultDirs()
	fs := flag.NewFlagSet("down", flag.ExitOnError)
	fs.StringVar(&stateDir, "state-dir", stateDir, "state folder given to simctl up")
	_ = fs.Parse(args)
	pid, alive := runningPid(stateDir)
	if !alive {
		fmt.Fprintf(os.Stderr, "simctl: no simulated cluster runs from %s\n", stateDir)
		return nil
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	for i := 0; i < 600; i++ {
		if syscall.Kill(pid, 0) != nil {
			fmt.Fprintf(os.Stderr, "simctl: stopped the cluster of %s\n", stateDir)
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	_ = syscall.Kill(pid, syscall.SIGKILL)
	return fmt.Errorf("simctl (pid %d) did not stop within 60s and was killed", pid)
}

func cmdStatus(args []string) error {
	_, stateDir := defaultDirs()
	fs := flag.NewFlagSet("status", flag.ExitOnError)
	fs.StringVar(&stateDir, "state-dir", stateDir, "state folder given to simctl up")
	_ = fs.Parse(args)
	if _, alive := runningPid(stateDir); !alive {
		return fmt.Errorf("no simulated cluster runs from %s", stateDir)
	}
	info, err := readInfo(stateDir)
	if err != nil {
		return fmt.Errorf("the cluster of %s is starting or failed: %w", stateDir, err)
	}
	out, _ := json.MarshalIndent(info, "", "  ")
	fmt.Println(string(out))
	return nil
}

func readInfo(stateDir string) (clusterInfo, error) {
	var info clusterInfo
	data, err := os.ReadFile(filepath.Join(stateDir, "cluster.json"))
	if err != nil {
		return info, err
	}
	return info, json.Unmarshal(data, &info)
}

// runningPid reads stateDir/simctl.pid and tells whether that process lives and is a simctl.
func runningPid(stateDir string) (int, bool) {
	data, err := os.ReadFile(filepath.Join(stateDir, "simctl.pid"))
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return 0, false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return pid, false
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err == nil && strings.TrimSpace(string(comm)) != "simctl" {
		return pid, false
	}
	return pid, true
}
