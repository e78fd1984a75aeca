# SPDX-License-Identifier: MIT
# At install time: the dashboard cannot run without the MQTT browser build. Say so loudly rather
# than install (or package) a page that never connects.
set(vendor "${CMAKE_CURRENT_LIST_DIR}/../dashboard/vendor/mqtt.min.js")
if(NOT EXISTS "${vendor}")
  message(WARNING "dashboard/vendor/mqtt.min.js is missing (scripts/deps runs "
                  "scripts/dashboard-vendor): the installed dashboard cannot connect")
endif()
