/** Below this signal a radio (an AP, a BLE party) is out of range: not heard, links drop. */
export const RANGE_LIMIT_DBM = -90;
