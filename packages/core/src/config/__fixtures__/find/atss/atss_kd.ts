export default { name: 'atss/atss_kd.ts' };
