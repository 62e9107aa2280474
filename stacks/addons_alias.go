package stacks

import "github.com/example/platform/components/addons"

// AddonsConfig is platform:addons; its types live with the component that reads them.
type AddonsConfig = addons.Config

// AddonBase is what every Helm addon's config block has.
type AddonBase = addons.Base

// DefaultAddons enables every addon.
func DefaultAddons() AddonsConfig { return addons.Defaults() }
