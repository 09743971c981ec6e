// Command pause is the sandbox ("pause") container of the real nodes' pods: it
// holds the pod's namespaces, reaps the zombies a shared PID namespace leaves it,
// and exits on SIGTERM or SIGINT. The upstream pause image is a C program that
// cannot be built here without a registry; this one does the same in Go and is
// packed into the image the nodes' containerd uses as its sandbox_image.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			var status syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
