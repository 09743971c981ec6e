// Command kubelet is the upstream kubelet, built from k8s.io/kubernetes. It runs
// only on the real nodes of the simulated cluster (see docs/testing.md, "Real nodes");
// the fake nodes are played by kwok.
package main

import (
	"context"
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kubelet/app"
)

func main() {
	os.Exit(cli.Run(app.NewKubeletCommand(context.Background())))
}
