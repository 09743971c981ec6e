package dev.homecluster.render.controlplane;

/** flannel's two configuration files: its network (net-conf.json) and the CNI chain it installs. */
public final class FlannelNetConf {
  private FlannelNetConf() {}

  /** The pod network, split by flannel into the per-node CIDRs the controller-manager assigns. */
  public static String netConf(String podCidr) {
    return """
        {
          "Network": "%s",
          "EnableNFTables": false,
          "Backend": {
            "Type": "vxlan"
          }
        }
        """
        .formatted(podCidr);
  }

  /** The CNI chain: flannel (delegating to bridge) then portmap for hostPort. */
  public static String cniConf() {
    return """
        {
          "name": "cbr0",
          "cniVersion": "0.3.1",
          "plugins": [
            {
              "type": "flannel",
              "delegate": {
                "hairpinMode": true,
                "isDefaultGateway": true
              }
            },
            {
              "type": "portmap",
              "capabilities": {
                "portMappings": true
              }
            }
          ]
        }
        """;
  }
}
