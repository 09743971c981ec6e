-- Argo CD health of a HomeCluster (homecluster.dev/v1alpha1), from its kstatus-style status:
-- observedGeneration, the Ready and Valid conditions, and the phase.
--   Healthy      Ready=True for the current generation
--   Degraded     Valid=False (the spec is rejected, nothing applied) or phase Degraded/Invalid
--   Progressing  anything else: no status yet, an older generation observed, Ready not yet True
-- Install: the resource.customizations.health.homecluster.dev_HomeCluster key of argocd-cm
-- (argocd-cm-patch.yaml beside this file carries it).
local hs = {}

local function condition(conditions, type)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

local function describe(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  if c ~= nil and c.reason ~= nil and c.reason ~= "" then
    return c.reason
  end
  return fallback
end

-- The first component condition that is not True, to say what the cluster waits for.
local function waitingFor(conditions)
  local parts = { "ControlPlaneReady", "EndpointReady", "StorageReady", "BackupsHealthy" }
  for _, type in ipairs(parts) do
    local c = condition(conditions, type)
    if c ~= nil and c.status ~= "True" then
      return type .. ": " .. describe(c, c.status)
    end
  end
  return nil
end

local status = obj.status
if status == nil or status.observedGeneration == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report a status"
  return hs
end

local generation = obj.metadata.generation
if generation ~= nil and status.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end

local valid = condition(status.conditions, "Valid")
if valid ~= nil and valid.status == "False" then
  hs.status = "Degraded"
  hs.message = "Invalid spec: " .. describe(valid, "rejected by the operator")
  return hs
end

local ready = condition(status.conditions, "Ready")
if status.phase == "Degraded" or status.phase == "Invalid" then
  hs.status = "Degraded"
  hs.message = waitingFor(status.conditions) or describe(ready, status.phase)
  return hs
end

if ready ~= nil and ready.status == "True" then
  if generation ~= nil and ready.observedGeneration ~= nil and ready.observedGeneration < generation then
    hs.status = "Progressing"
    hs.message = "Ready describes generation " .. ready.observedGeneration .. ", not " .. generation
    return hs
  end
  hs.status = "Healthy"
  hs.message = describe(ready, "Ready")
  return hs
end

hs.status = "Progressing"
hs.message = waitingFor(status.conditions) or describe(ready, "Waiting for Ready")
return hs
