package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// component is one running binary of the simulated cluster.
type component struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
	err     error
}

// start runs binary with args in its own process group, its output in logs/<name>.log.
// The child gets SIGKILL when simctl dies, so a killed simctl leaves nothing behind.
func start(name, binary string, args []string, logDir, tmpDir string) (*component, error) {
	logPath := filepath.Join(logDir, name+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(binary, args...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.Env = append(os.Environ(), "TMPDIR="+tmpDir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	fmt.Fprintf(logFile, "# %s %s\n", binary, strings.Join(args, " "))
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &component{name: name, cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		logFile.Close()
		close(c.exited)
	}()
	return c, nil
}

func (c *component) running() bool {
	select {
	case <-c.exited:
		return false
	default:
		return true
	}
}

// stop sends SIGTERM to the component's process group, then SIGKILL after grace.
func (c *component) stop(grace time.Duration) {
	if !c.running() {
		return
	}
	pgid := c.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(grace):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-c.exited
	}
}

// failure describes why a component did not come up, with the end of its log.
func (c *component) failure(what string) error {
	state := "is still running"
	if !c.running() {
		state = fmt.Sprintf("exited (%v)", c.err)
	}
	return fmt.Errorf("%s: %s %s; last lines of %s:\n%s", c.name, what, state, c.logPath, tail(c.logPath, 15))
}

func tail(path string, lines int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return "  " + strings.Join(all, "\n  ")
}

// freePorts asks the kernel for n distinct free ports on 127.0.0.1.
func freePorts(n int) ([]int, error) {
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// prober polls HTTP(S) endpoints of the components.
type prober struct {
	admin    *http.Client // trusts the cluster CA and presents the admin client certificate
	insecure *http.Client // for the self-signed serving certs of controller-manager and scheduler
}

func newProber(caFile string, admin certPair) (*prober, error) {
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	cert, err := tls.LoadX509KeyPair(admin.Cert, admin.Key)
	if err != nil {
		return nil, err
	}
	return &prober{
		admin: &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}},
		}},
		insecure: &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // probing /healthz of a loopback self-signed server
		}},
	}, nil
}

// waitOK polls url until it answers 200, the component exits, or the deadline passes.
func waitOK(client *http.Client, url string, c *component, deadline time.Time) error {
	var last string
	for {
		resp, err := client.Get(url)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
		} else {
			last = err.Error()
		}
		if c != nil && !c.running() {
			return c.failure("did not become healthy at " + url + " and")
		}
		if time.Now().After(deadline) {
			if c != nil {
				return errors.Join(fmt.Errorf("%s not healthy in time (last answer: %s)", url, last), c.failure("timed out: it"))
			}
			return fmt.Errorf("%s not healthy in time (last answer: %s)", url, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
